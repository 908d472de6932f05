using OrleansZk.Cli.Parsing;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary>zkCli's word splitting; the cases are lines of Transcripts/08-shell.zk and what zkCli made of them.</summary>
public sealed class LineTokenizerTests
{
    [Theory]
    [InlineData("ls /", new[] { "ls", "/" })]
    [InlineData("create /q \"hello world\"", new[] { "create", "/q", "hello world" })]
    [InlineData("create /q2 'single quoted'", new[] { "create", "/q2", "single quoted" })]
    [InlineData("create /q3 \"unterminated", new[] { "create", "/q3", "unterminated" })]
    [InlineData("create /q4 a\"b\"c", new[] { "create", "/q4", "a\"b\"c" })]
    [InlineData("create /q5 \"a'b\"", new[] { "create", "/q5", "a'b" })]
    [InlineData("create /q6 \"\"", new[] { "create", "/q6", "" })]
    [InlineData("\tls\t/  ", new[] { "ls", "/" })]
    [InlineData("set /q \"-1\"", new[] { "set", "/q", "-1" })]
    public void Splits_as_zkCli(string line, string[] words) => Assert.Equal(words, LineTokenizer.Split(line));

    [Fact]
    public void A_blank_line_is_one_blank_word_as_in_zkCli()
    {
        // zkCli answers "   " with "Command not found: Command not found  " (08-shell).
        Assert.Equal([" "], LineTokenizer.Split("   "));
    }

    [Fact]
    public void Unicode_blanks_are_not_separators_as_in_Java()
    {
        Assert.Equal(["a\u00a0b"], LineTokenizer.Split("a\u00a0b"));
    }

    [Fact]
    public void A_line_of_one_quote_has_no_words()
    {
        Assert.Empty(LineTokenizer.Split("\""));
    }
}
