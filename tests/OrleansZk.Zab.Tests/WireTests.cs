namespace OrleansZk.Zab.Tests;

/// <summary>The replicas' wire format: every field survives a round trip; anything else is refused.</summary>
public class WireTests
{
    static IEnumerable<ZabMessage> Samples()
    {
        var rng = new Random(7);
        byte[] Bytes(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }
        foreach (var type in Enum.GetValues<MessageType>())
        {
            yield return new ZabMessage { Type = type, From = 1, To = 2 };
            yield return new ZabMessage
            {
                Type = type, From = rng.Next(1, 8), To = rng.Next(1, 8), Epoch = rng.NextInt64(), Zxid = rng.NextInt64(),
                Commit = rng.NextInt64(), Round = rng.NextInt64(), State = (PeerState)rng.Next(3),
                Vote = new Vote(rng.Next(1, 8), rng.NextInt64(), rng.NextInt64()), CurrentEpoch = rng.NextInt64(),
                Fresh = rng.Next(2) == 1, Kind = (SyncKind)rng.Next(3), FollowerLastZxid = rng.NextInt64(),
                TruncateAfter = rng.NextInt64(), Context = rng.NextInt64(),
                Snapshot = rng.Next(2) == 1 ? new ZabSnapshot(rng.NextInt64(), Bytes(rng.Next(0, 3000))) : null,
                Txns = Enumerable.Range(0, rng.Next(0, 5)).Select(i => new LogEntry(i + 1, Bytes(rng.Next(0, 200)))).ToArray(),
                Payload = rng.Next(2) == 1 ? Bytes(rng.Next(0, 50)) : null,
            };
        }
    }

    static string Dump(ZabMessage m) =>
        $"{m.Type} {m.From} {m.To} {m.Epoch} {m.Zxid} {m.Commit} {m.Round} {m.State} {m.Vote} {m.CurrentEpoch} {m.Fresh} {m.Kind} "
        + $"{m.FollowerLastZxid} {m.TruncateAfter} {m.Context} snap={m.Snapshot?.Zxid}:{Convert.ToHexString(m.Snapshot?.Data ?? [])} "
        + $"txns={string.Join(",", m.Txns.Select(t => $"{t.Zxid}:{Convert.ToHexString(t.Payload)}"))} payload={(m.Payload is null ? "null" : Convert.ToHexString(m.Payload))}";

    [Fact]
    public void Every_field_of_every_message_type_round_trips()
    {
        var messages = Samples().ToList();
        var decoded = ZabWire.Decode(ZabWire.Encode(messages));
        Assert.Equal(messages.Select(Dump), decoded.Select(Dump));
    }

    [Fact]
    public void Truncated_foreign_and_newer_buffers_are_refused()
    {
        var buffer = ZabWire.Encode(Samples().ToList());
        for (int cut = 0; cut < buffer.Length; cut += 97)
            Assert.Throws<InvalidDataException>(() => ZabWire.Decode(buffer.AsSpan(0, cut)));
        Assert.Throws<InvalidDataException>(() => ZabWire.Decode([.. buffer, 0]));
        var foreign = buffer.ToArray();
        foreign[0] = (byte)'{';
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => ZabWire.Decode(foreign)).Message);
        var newer = buffer.ToArray();
        newer[2] = ZabWire.Version + 1;
        Assert.Contains("version", Assert.Throws<InvalidDataException>(() => ZabWire.Decode(newer)).Message);
    }
}
