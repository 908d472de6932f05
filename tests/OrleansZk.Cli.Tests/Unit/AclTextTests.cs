using OrleansZk.Cli.Output;
using OrleansZk.Core;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary>ACL text as zkCli reads and prints it; expected texts from Transcripts/05-acl.</summary>
public sealed class AclTextTests
{
    [Fact]
    public void An_entry_prints_as_jutes_record_then_the_perms()
    {
        Assert.Equal("'world,'anyone\n: cdrwa", AclText.Entry(Acl.OpenUnsafe));
        Assert.Equal(
            "'digest,'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=\n: cdrwa",
            AclText.Entry(new Acl(Perms.All, new ZkId("digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="))));
        Assert.Equal("'digest,'bob:x\n: rw", AclText.Entry(new Acl(Perms.Read | Perms.Write, new ZkId("digest", "bob:x"))));
    }

    [Fact]
    public void Jutes_reserved_characters_are_escaped()
    {
        Assert.Equal("'ip,'a%2Cb%7D%25%0A\n: ", AclText.Entry(new Acl(Perms.None, new ZkId("ip", "a,b}%\n"))));
    }

    [Theory]
    [InlineData(Perms.Read, "r")]
    [InlineData(Perms.Admin | Perms.Read, "ra")]
    [InlineData(Perms.All, "cdrwa")]
    [InlineData(Perms.None, "")]
    public void Perms_print_in_the_order_cdrwa(Perms perms, string text) => Assert.Equal(text, AclText.Perms(perms));

    [Fact]
    public void Parses_entries_and_ids_with_colons()
    {
        var error = new StringWriter();
        var acl = AclText.Parse("digest:bob:5QkF7Y6mGpmZFfh4fIDTxbkQ7+s=:rw,world:anyone:r", error);
        Assert.Equal(
            [new Acl(Perms.Read | Perms.Write, new ZkId("digest", "bob:5QkF7Y6mGpmZFfh4fIDTxbkQ7+s=")), Acl.ReadUnsafe],
            acl);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void Skips_malformed_entries_and_unknown_letters_with_zkClis_notices()
    {
        var error = new StringWriter { NewLine = "\n" };
        var acl = AclText.Parse("world:anyone,world:anyone:rxz", error);
        Assert.Equal([Acl.ReadUnsafe], acl);
        Assert.Equal("world:anyone does not have the form scheme:id:perm\nUnknown perm type: x\nUnknown perm type: z\n", error.ToString());
    }

    [Fact]
    public void Splits_as_Java_dropping_trailing_empty_entries()
    {
        var error = new StringWriter { NewLine = "\n" };
        Assert.Equal([Acl.ReadUnsafe], AclText.Parse("world:anyone:r,,", error));
        Assert.Empty(AclText.Parse("", error));
        Assert.Equal(" does not have the form scheme:id:perm\n", error.ToString());
    }

    [Fact]
    public void No_perms_is_an_entry_with_none()
    {
        Assert.Equal([new Acl(Perms.None, ZkId.Anyone)], AclText.Parse("world:anyone:", TextWriter.Null));
    }
}
