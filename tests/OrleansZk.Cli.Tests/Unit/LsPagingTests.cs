using OrleansZk.Cli.Commands;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary><see cref="LsPaging.Extract"/>: the paging flags come out of the words, the rest stays for zkCli's parser.</summary>
public sealed class LsPagingTests
{
    [Fact]
    public void The_flags_and_their_values_come_out_wherever_they_stand()
    {
        string[] words = ["ls", "-s", "--after", "-x", "/a", "--page", "7"];
        Assert.Equal(new LsPaging(7, "-x"), LsPaging.Extract(ref words));
        Assert.Equal(["ls", "-s", "/a"], words);
    }

    [Fact]
    public void Without_page_the_words_are_left_alone_and_after_a_double_dash_nothing_is_a_flag()
    {
        string[] plain = ["ls", "--long", "/a"];
        Assert.Null(LsPaging.Extract(ref plain));
        Assert.Equal(["ls", "--long", "/a"], plain);

        string[] quoted = ["ls", "--page", "3", "--", "--after", "/a"];
        Assert.Equal(new LsPaging(3, null), LsPaging.Extract(ref quoted));
        Assert.Equal(["ls", "--", "--after", "/a"], quoted);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("c d", "'c d'")]
    [InlineData("it's here", "\"it's here\"")]
    [InlineData("'q", "\"'q\"")]
    public void A_continuation_is_quoted_only_when_the_shell_would_split_or_strip_it(string name, string word) =>
        Assert.Equal(word, LsPaging.Quote(name));
}
