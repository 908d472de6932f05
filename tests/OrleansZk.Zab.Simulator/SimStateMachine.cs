using System.Buffers.Binary;
using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// A deterministic state machine: a running 64-bit hash over (zxid, payload) of every applied
/// txn, so two replicas have equal digests at equal zxids exactly when they applied the same sequence.
/// </summary>
public sealed class SimStateMachine : IZabStateMachine
{
    public long Zxid { get; private set; }
    public ulong Digest { get; private set; }
    public long Applied { get; private set; }

    public static SimStateMachine From(ZabSnapshot? s)
    {
        var sm = new SimStateMachine();
        if (s is not null) sm.Install(s);
        return sm;
    }

    public void Apply(LogEntry txn)
    {
        Digest = Mix(Mix(Digest, (ulong)txn.Zxid), PayloadHash(txn.Payload));
        Zxid = txn.Zxid;
        Applied++;
    }

    public ZabSnapshot TakeSnapshot()
    {
        var b = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(b, Zxid);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), Digest);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), Applied);
        return new ZabSnapshot(Zxid, b);
    }

    public void Install(ZabSnapshot snapshot)
    {
        Zxid = BinaryPrimitives.ReadInt64LittleEndian(snapshot.Data);
        Digest = BinaryPrimitives.ReadUInt64LittleEndian(snapshot.Data.AsSpan(8));
        Applied = BinaryPrimitives.ReadInt64LittleEndian(snapshot.Data.AsSpan(16));
        if (Zxid != snapshot.Zxid) throw new InvalidOperationException("snapshot zxid mismatch");
    }

    public static ulong PayloadHash(byte[] payload)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte x in payload) h = (h ^ x) * 1099511628211UL;
        return h;
    }

    static ulong Mix(ulong h, ulong v)
    {
        h ^= v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
        h ^= h >> 31; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 29;
        return h;
    }
}
