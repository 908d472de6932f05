using System.Buffers.Binary;
using System.Text;
using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Storage.Tests;

/// <summary>A unique temp directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ozk-storage-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}

internal static class T
{
    public static StorageOptions Options(string dir, bool forceSync = false, long segmentBytes = 4096) =>
        new() { DataDir = dir, ForceSync = forceSync, SegmentBytes = segmentBytes };

    /// <summary>A record with a recognisable payload of <paramref name="size"/> bytes.</summary>
    public static LogEntry Txn(long zxid, int size = 40)
    {
        var p = new byte[size];
        for (var i = 0; i < size; i++) p[i] = (byte)(zxid * 31 + i);
        return new LogEntry(zxid, p);
    }

    public static LogEntry[] Txns(long from, long to, int size = 40) =>
        Enumerable.Range(0, (int)(to - from + 1)).Select(i => Txn(from + i, size)).ToArray();

    public static void AssertSame(IEnumerable<LogEntry> expected, IEnumerable<LogEntry> actual)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        Assert.Equal(e.Select(t => t.Zxid), a.Select(t => t.Zxid));
        for (var i = 0; i < e.Count; i++) Assert.Equal(e[i].Payload, a[i].Payload);
    }

    public static string[] Segments(string logDir) =>
        Directory.GetFiles(logDir, "log.*").Where(f => !f.EndsWith(".tmp")).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>
/// A stand-in for the DataTree txn codec (OrleansZk.Core.TxnCodec is written elsewhere): payload =
/// kind byte (0 create /n&lt;k&gt;, 1 setData /n&lt;k&gt;) | i32 k | i32 version-or-cversion.
/// </summary>
internal static class TreeTxns
{
    public static LogEntry Create(long zxid, int k) => Encode(zxid, 0, k, (int)zxid);
    public static LogEntry SetData(long zxid, int k, int version) => Encode(zxid, 1, k, version);

    private static LogEntry Encode(long zxid, byte kind, int k, int n)
    {
        var p = new byte[9];
        p[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(p.AsSpan(1), k);
        BinaryPrimitives.WriteInt32LittleEndian(p.AsSpan(5), n);
        return new LogEntry(zxid, p);
    }

    public static void Apply(DataTree tree, LogEntry t)
    {
        var k = BinaryPrimitives.ReadInt32LittleEndian(t.Payload.AsSpan(1));
        var n = BinaryPrimitives.ReadInt32LittleEndian(t.Payload.AsSpan(5));
        var data = Encoding.UTF8.GetBytes($"d{t.Zxid}");
        TxnBody body = t.Payload[0] == 0
            ? new CreateTxn($"/n{k}", data, AclList.OpenUnsafe, 0, n)
            : new SetDataTxn($"/n{k}", data, n);
        tree.Apply(new OrleansZk.Core.Txn(t.Zxid, 1_000 + t.Zxid, 0, 0, body));
    }

    /// <summary>Txns zxid 1..count: creates of /n0.. with a setData of an earlier node every third zxid.</summary>
    public static IEnumerable<LogEntry> Script(long count)
    {
        var created = 0;
        var versions = new Dictionary<int, int>();
        for (long z = 1; z <= count; z++)
        {
            if (z % 3 == 0 && created > 0)
            {
                var k = (int)(z % created);
                versions[k] = versions.GetValueOrDefault(k) + 1;
                yield return SetData(z, k, versions[k]);
            }
            else yield return Create(z, created++);
        }
    }
}
