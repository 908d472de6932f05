using System.Text;

namespace OrleansZk.Core;

public sealed partial class DataTree
{
    /// <summary>
    /// A 64-bit digest of the whole tree — every node's path, data, ACL and stored stat, and the
    /// session table — for comparing replicas at equal zxids. The sum of per-node hashes, so it does
    /// not depend on iteration order. Stable across processes and machines (no randomized hashing).
    /// O(nodes).
    /// </summary>
    public ulong ComputeDigest()
    {
        ulong sum = 0;
        foreach (var (path, node) in _nodes) sum += NodeDigest(path, node);
        foreach (var s in _sessions.Values) sum += SessionDigest(s);
        return sum;
    }

    internal static ulong NodeDigest(string path, DataNode n)
    {
        var h = new Fnv();
        h.Add(path);
        if (n.Data == null) h.Add(-1L);
        else
        {
            h.Add(n.Data.Length);
            h.Add(n.Data);
        }
        foreach (var a in n.Acl)
        {
            h.Add((int)a.Perms);
            h.Add(a.Id.Scheme);
            h.Add(a.Id.Id);
        }
        h.Add(n.Czxid); h.Add(n.Mzxid); h.Add(n.Pzxid); h.Add(n.Ctime); h.Add(n.Mtime);
        h.Add(n.Version); h.Add(n.Cversion); h.Add(n.Aversion); h.Add(n.EphemeralOwner);
        return Mix(h.Value);
    }

    internal static ulong SessionDigest(SessionEntry s)
    {
        var h = new Fnv();
        h.Add(s.SessionId); h.Add(s.TimeoutMs); h.Add(s.Password);
        return Mix(h.Value ^ 0x5e551041UL);
    }

    /// <summary>A finalizer (splitmix64) so that sums of hashes of similar nodes do not cancel.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    /// <summary>64-bit FNV-1a.</summary>
    private struct Fnv()
    {
        public ulong Value = 14695981039346656037UL;

        public void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes) Value = (Value ^ b) * 1099511628211UL;
        }

        public void Add(string s)
        {
            Add(s.Length);
            Span<byte> buf = stackalloc byte[256];
            var bytes = Encoding.UTF8.GetByteCount(s) <= buf.Length ? buf[..Encoding.UTF8.GetBytes(s, buf)] : Encoding.UTF8.GetBytes(s);
            Add(bytes);
        }

        public void Add(long v)
        {
            Span<byte> b = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(b, v);
            Add(b);
        }

        public void Add(int v) => Add((long)v);
    }
}
