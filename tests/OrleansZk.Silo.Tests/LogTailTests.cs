using System.Text;
using OrleansZk.Core;

namespace OrleansZk.Silo.Tests;

/// <summary>
/// Damage at the tail of the newest log segment (a torn last write, garbage after it) is cut off
/// at start-up: the silo starts, everything before the damaged record is there, and the log goes
/// on from the cut.
/// </summary>
public sealed class LogTailTests : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    public enum Damage { GarbageAfterLastRecord, LastRecordCutInHalf }

    [Theory]
    [InlineData(Damage.GarbageAfterLastRecord)]
    [InlineData(Damage.LastRecordCutInHalf)]
    public async Task A_damaged_log_tail_is_cut_and_the_silo_starts(Damage damage)
    {
        var data = Path.Combine(_runner.Root, "data");
        var (silo, ready) = await _runner.StartAsync(data);
        var ports = (ready.SiloPort, ready.GatewayPort);
        var client = await _runner.ConnectAsync(ready, TimeSpan.FromSeconds(5));
        await client.CreateAsync("/tail", null);
        var created = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            client.CreateWithStatAsync($"/tail/n{i}", Encoding.UTF8.GetBytes($"v{i}"))));
        // Stop with the session still open, so that the last record is the last create.
        Assert.Equal(0, await silo.StopAsync());
        await SiloRunner.CloseQuietlyAsync(client);

        var segment = LogSegments.Newest(Path.Combine(data, "replica-1"));
        var last = LogSegments.Read(segment)[^1];
        Assert.Equal(created.Max(c => c.Stat.Czxid), last.Zxid);
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            if (damage == Damage.GarbageAfterLastRecord)
            {
                var garbage = new byte[4096];
                new Random(7).NextBytes(garbage);
                file.Position = last.End;
                await file.WriteAsync(garbage);
            }
            else
            {
                file.SetLength(last.Offset + (last.End - last.Offset) / 2);
            }
        }

        var (restarted, again) = await _runner.StartAsync(data, ports);
        client = await _runner.ConnectAsync(again);
        var lost = damage == Damage.LastRecordCutInHalf ? last.Zxid : long.MaxValue;
        await AssertTreeAsync(client, created, lost);

        // The log goes on from the cut: a new write survives another restart.
        await client.CreateAsync("/tail/after", Encoding.UTF8.GetBytes("after"));
        await client.CloseAsync();
        Assert.Equal(0, await restarted.StopAsync());
        var (_, third) = await _runner.StartAsync(data, ports);
        client = await _runner.ConnectAsync(third);
        await AssertTreeAsync(client, created, lost);
        Assert.Equal("after", Encoding.UTF8.GetString((await client.GetDataAsync("/tail/after")).Data!));
    }

    [Fact]
    public async Task Damage_before_the_tail_stops_start_up_naming_the_file()
    {
        var data = Path.Combine(_runner.Root, "data");
        var (silo, ready) = await _runner.StartAsync(data);
        var client = await _runner.ConnectAsync(ready);
        for (var i = 0; i < 20; i++) await client.CreateAsync($"/n{i}", Encoding.UTF8.GetBytes($"v{i}"));
        await client.CloseAsync();
        Assert.Equal(0, await silo.StopAsync());

        // Flip a payload byte of a record with valid records after it: cutting there could drop
        // acknowledged writes, so the replica must refuse to start, and the silo with it.
        var segment = LogSegments.Newest(Path.Combine(data, "replica-1"));
        var victim = LogSegments.Read(segment)[5];
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = victim.End - 1;
            var b = file.ReadByte();
            file.Position = victim.End - 1;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        var again = _runner.Launch([$"--OrleansZk:DataDir={data}", $"--OrleansZk:SiloPort={ready.SiloPort}", $"--OrleansZk:GatewayPort={ready.GatewayPort}"]);
        Assert.Equal(1, await again.WaitExitAsync(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain("ready", again.Stdout);
        var line = again.Stderr.Split('\n').LastOrDefault(l => l.Contains("failed to start"));
        Assert.True(line is not null, again.Output);
        Assert.Contains($"transaction log corrupt in {segment} at offset {victim.Offset}", line);
    }

    /// <summary>Every create before the zxid <paramref name="lost"/> is there with its data; the one at it is not.</summary>
    private static async Task AssertTreeAsync(Client.ZkClient client, Client.CreateResult[] created, long lost)
    {
        var stats = await Task.WhenAll(created.Select(c => client.ExistsAsync(c.Path)));
        for (var i = 0; i < created.Length; i++)
        {
            var kept = created[i].Stat.Czxid < lost;
            Assert.True(kept == stats[i] is not null, $"{created[i].Path} (czxid {created[i].Stat.Czxid:x}) should {(kept ? "" : "not ")}be there");
            if (kept) Assert.Equal($"v{i}", Encoding.UTF8.GetString((await client.GetDataAsync(created[i].Path)).Data!));
        }
        var children = await client.GetChildrenAsync("/tail");
        Assert.Equal(created.Count(c => c.Stat.Czxid < lost), children.Count(n => n.StartsWith('n')));
    }
}
