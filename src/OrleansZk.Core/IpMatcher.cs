using System.Net;
using System.Net.Sockets;

namespace OrleansZk.Core;

/// <summary>ZooKeeper's ip scheme: "a.b.c.d", "a.b.c.d/bits", IPv6 likewise; an address matches when its first bits agree.</summary>
public static class IpMatcher
{
    public static bool IsValid(string expr) => Parse(expr, out _, out _);

    public static bool Matches(string address, string expr)
    {
        if (!Parse(expr, out var net, out var bits)) return false;
        var remote = ToBytes(address);
        if (remote == null || remote.Length != net.Length) return false;
        Mask(net, bits);
        Mask(remote, bits);
        return net.AsSpan().SequenceEqual(remote);
    }

    private static bool Parse(string expr, out byte[] addr, out int bits)
    {
        var parts = expr.Split('/', 2);
        addr = ToBytes(parts[0])!;
        bits = 0;
        if (addr == null) return false;
        bits = addr.Length * 8;
        if (parts.Length == 2)
        {
            if (!int.TryParse(parts[1], System.Globalization.NumberStyles.AllowLeadingSign, null, out bits)) return false;
            if (bits < 0 || bits > addr.Length * 8) return false;
        }
        return true;
    }

    private static byte[]? ToBytes(string text)
    {
        if (text.Contains(':'))
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6.GetAddressBytes() : null;
        var parts = text.Split('.');
        if (parts.Length != 4) return null;
        var b = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, null, out var v) || v < 0 || v > 255) return null;
            b[i] = (byte)v;
        }
        return b;
    }

    private static void Mask(byte[] b, int bits)
    {
        var start = bits / 8;
        var startMask = ~((1 << (8 - (bits % 8))) - 1);
        while (start < b.Length)
        {
            b[start] = (byte)(b[start] & startMask);
            startMask = 0;
            start++;
        }
    }
}
