using System.Globalization;
using OrleansZk.Core;

namespace OrleansZk.Cli.Output;

/// <summary>zkCli's <c>StatPrinter</c>: the eleven stat lines of <c>stat</c>, <c>get -s</c>, <c>ls -s</c>, ...</summary>
internal static class StatPrinter
{
    public static void Print(TextWriter output, Stat stat)
    {
        output.WriteLine("cZxid = 0x" + Hex(stat.Czxid));
        output.WriteLine("ctime = " + JavaDate(stat.Ctime));
        output.WriteLine("mZxid = 0x" + Hex(stat.Mzxid));
        output.WriteLine("mtime = " + JavaDate(stat.Mtime));
        output.WriteLine("pZxid = 0x" + Hex(stat.Pzxid));
        output.WriteLine("cversion = " + stat.Cversion);
        output.WriteLine("dataVersion = " + stat.Version);
        output.WriteLine("aclVersion = " + stat.Aversion);
        output.WriteLine("ephemeralOwner = 0x" + Hex(stat.EphemeralOwner));
        output.WriteLine("dataLength = " + stat.DataLength);
        output.WriteLine("numChildren = " + stat.NumChildren);
    }

    /// <summary>Java's <c>Long.toHexString</c>: lower case, no padding, negative numbers as their two's complement.</summary>
    public static string Hex(long value) => ((ulong)value).ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// Java's <c>Date.toString</c> ("Thu Nov 26 03:34:04 UTC 2026") for milliseconds since the epoch,
    /// always in UTC: Java uses the JVM's zone and its abbreviation, which .NET cannot name reliably.
    /// </summary>
    public static string JavaDate(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMs).UtcDateTime
            .ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);
}
