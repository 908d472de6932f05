using OrleansZk.Cli.Parsing;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary>commons-cli 1.5's DefaultParser as zkCli uses it; messages as recorded in Transcripts/03-usage.</summary>
public sealed class OptionParserTests
{
    private static readonly OptionSpec Set = new OptionSpec().Flag('s', "stats").Value('v', "version");

    private static ParsedArgs Parse(string line) => OptionParser.Parse(Set, line.Split(' '));

    private static string Refusal(string line) => Assert.Throws<CliException>(() => Parse(line)).Message;

    [Theory]
    [InlineData("set -s -v 3 /a b", "3")]
    [InlineData("set -sv 3 /a b", "3")]
    [InlineData("set -v3 /a b", "3")]
    [InlineData("set -v=3 /a b", "3")]
    [InlineData("set /a -v 3 b", "3")]
    [InlineData("set -v -1 /a b", "-1")]
    [InlineData("set -v 1 -v 2 /a b", "1")]
    public void Takes_the_version_in_every_spelling(string line, string version)
    {
        var parsed = Parse(line);
        Assert.Equal(version, parsed.Value('v'));
        Assert.Equal(["set", "/a", "b"], parsed.Args);
    }

    [Fact]
    public void A_value_word_in_double_quotes_loses_them_but_an_attached_value_keeps_them()
    {
        Assert.Equal("3", Parse("set -v \"3\" /a b").Value('v'));
        Assert.Equal("\"3\"", Parse("set -v\"3\" /a b").Value('v'));
    }

    [Fact]
    public void Flags_may_be_bundled()
    {
        var parsed = OptionParser.Parse(new OptionSpec().Flag('s', "stat").Flag('R', "recurse"), ["ls", "-sR", "/"]);
        Assert.True(parsed.Has('s'));
        Assert.True(parsed.Has('R'));
        Assert.Equal(["ls", "/"], parsed.Args);
    }

    [Fact]
    public void A_double_dash_ends_the_options_and_a_lone_dash_is_a_word()
    {
        Assert.Equal(["set", "-s", "-"], Parse("set -- -s -").Args);
    }

    [Fact]
    public void An_option_word_is_not_taken_as_a_value()
    {
        // "set -v /a data" takes /a as the version: only a word that is an option is refused.
        Assert.Equal("/a", Parse("set -v /a data").Value('v'));
        Assert.Equal(
            "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v",
            Refusal("set -v -s /a b"));
    }

    [Theory]
    [InlineData("set -x /a b", "-x")]
    [InlineData("set -sx /a b", "-sx")]
    [InlineData("set -s=1 /a b", "-s=1")]
    [InlineData("set -sv=1 /a b", "-sv=1")]
    [InlineData("set --long /a b", "--long")]
    [InlineData("set /a -1", "-1")]
    public void Refuses_unknown_options_as_zkCli_prints_them(string line, string word)
    {
        Assert.Equal("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: " + word, Refusal(line));
    }

    [Fact]
    public void A_value_option_at_the_end_misses_its_value()
    {
        Assert.Equal("org.apache.commons.cli.MissingArgumentException: Missing argument for option: v", Refusal("set /a b -v"));
    }

    [Fact]
    public void Help_lists_options_sorted_ignoring_case()
    {
        var spec = new OptionSpec().Flag('?', "help").Flag('s', "stat").Flag('R', "recurse");
        Assert.Equal([" -?   help", " -R   recurse", " -s   stat"], spec.HelpLines());
    }
}
