using OrleansZk.Cli.Parsing;

namespace OrleansZk.Cli.Tests.Unit;

public sealed class JavaNumbersTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("+7", 7)]
    [InlineData("-1", -1)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("\u0661\u0662", 12)] // Arabic-Indic digits: Java's Character.digit takes any decimal digit
    public void ParseInt_accepts_what_Integer_parseInt_accepts(string text, int value) => Assert.Equal(value, JavaNumbers.ParseInt(text));

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("abc")]
    [InlineData(" 1")]
    [InlineData("1.0")]
    [InlineData("0x10")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    public void ParseInt_refuses_what_Integer_parseInt_refuses(string text) => Assert.Null(JavaNumbers.ParseInt(text));

    [Fact]
    public void ParseLong_covers_the_long_range()
    {
        Assert.Equal(long.MinValue, JavaNumbers.ParseLong("-9223372036854775808"));
        Assert.Equal(1099511627776L, JavaNumbers.ParseLong("1099511627776"));
        Assert.Null(JavaNumbers.ParseLong("9223372036854775808"));
    }

    [Fact]
    public void A_bad_version_ends_the_shell_with_Javas_message()
    {
        var crash = Assert.Throws<ShellCrashException>(() => JavaNumbers.ParseIntOrCrash("abc"));
        Assert.Equal("Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"abc\"", crash.Message);
    }
}
