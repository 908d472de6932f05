using OrleansZk.Cli.Output;
using OrleansZk.Cli.Tests.Support;
using OrleansZk.Core;

namespace OrleansZk.Cli.Tests.Unit;

public sealed class StatPrinterTests
{
    [Fact]
    public void Prints_the_stat_of_zookeeper_as_zkCli_did()
    {
        // Transcripts/15-command-line: "ls -s /zookeeper" on a fresh ZooKeeper.
        var output = new StringWriter { NewLine = "\n" };
        StatPrinter.Print(output, new Stat(0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0));

        var recorded = Transcript.Load("15-command-line").Stdout.Split('\n');
        var statLines = recorded.SkipWhile(l => !l.StartsWith("cZxid", StringComparison.Ordinal)).Take(11);
        Assert.Equal(string.Join("\n", statLines) + "\n", output.ToString());
    }

    [Fact]
    public void Formats_times_as_Javas_Date_in_UTC()
    {
        var ms = new DateTimeOffset(2026, 11, 26, 3, 34, 4, 123, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal("Thu Nov 26 03:34:04 UTC 2026", StatPrinter.JavaDate(ms));
        Assert.Equal("Thu Jan 01 00:00:00 UTC 1970", StatPrinter.JavaDate(0));
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(0x100003a77bb0000L, "100003a77bb0000")]
    [InlineData(-1L, "ffffffffffffffff")]
    [InlineData(long.MinValue, "8000000000000000")]
    public void Prints_numbers_as_Longs_toHexString(long value, string hex) => Assert.Equal(hex, StatPrinter.Hex(value));
}
