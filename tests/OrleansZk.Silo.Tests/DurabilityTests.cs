using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests;

/// <summary>Acknowledged writes survive the silo process: a graceful stop, and SIGKILL mid-write.</summary>
public sealed class DurabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task Acknowledged_writes_survive_a_graceful_stop()
    {
        var data = Path.Combine(_runner.Root, "data");
        var (silo, ready) = await _runner.StartAsync(data);
        var ports = (ready.SiloPort, ready.GatewayPort);
        var ledger = new Ledger();
        var client = await _runner.ConnectAsync(ready);
        await Ledger.CreateParentsAsync(client);
        await ledger.RunAsync(client, "graceful", lanes: 16, opsPerLane: 25);
        Assert.True(ledger.Failures.Count == 0, string.Join("\n", ledger.Failures.Take(3)));
        Assert.Equal(16 * 25, ledger.Acknowledged);
        await client.CloseAsync();

        Assert.Equal(0, await silo.StopAsync());

        // Same data directory, same ports: how an operator restarts the service.
        var (_, again) = await _runner.StartAsync(data, ports);
        await ledger.VerifyAsync(await _runner.ConnectAsync(again));
    }

    [Fact]
    public async Task Acknowledged_writes_survive_SIGKILL_mid_write_three_times()
    {
        var data = Path.Combine(_runner.Root, "data");
        (int, int)? ports = null;
        var ledger = new Ledger();
        for (var round = 1; round <= 3; round++)
        {
            var (silo, ready) = await _runner.StartAsync(data, ports);
            ports = (ready.SiloPort, ready.GatewayPort);
            if (round > 1)
            {
                var checker = await _runner.ConnectAsync(ready);
                await ledger.VerifyAsync(checker);
                await checker.CloseAsync();
            }
            // Writes cut off by the kill fail as soon as the client sees the gateway connection drop;
            // the short request timeout is a backstop.
            var client = await _runner.ConnectAsync(ready, TimeSpan.FromSeconds(5));
            if (round == 1) await Ledger.CreateParentsAsync(client);

            // SIGKILL once this round has had a few hundred acknowledgements, with 32 lanes of
            // writes (creates and cross-partition multis) still going.
            var killAt = ledger.Acknowledged + 200 + Random.Shared.Next(200);
            var killed = 0;
            var inFlightAtKill = 0;
            var ackedAtKill = 0;
            var before = (ledger.AcknowledgedCreates, ledger.AcknowledgedMultis);
            var work = ledger.RunAsync(client, $"r{round}", lanes: 32, opsPerLane: 1_000, onAck: acked =>
            {
                if (acked >= killAt && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    inFlightAtKill = ledger.InFlight;
                    ackedAtKill = acked;
                    silo.KillHard();
                }
            });
            var exited = silo.WaitExitAsync(TimeSpan.FromSeconds(60));
            if (await Task.WhenAny(work, exited) == work && Volatile.Read(ref killed) == 0)
                Assert.Fail($"the writes stopped after {ledger.Acknowledged} acknowledgements, before the kill:\n{string.Join("\n", ledger.Failures.Take(3))}");
            var exitCode = await exited;
            var drain = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(137, exitCode); // 128 + SIGKILL
            await work.WaitAsync(TimeSpan.FromSeconds(60));
            // Replies already on the wire when the process died still count: they were fsync'd first.
            output.WriteLine($"round {round}: SIGKILL with {inFlightAtKill} writes in flight, {ledger.Acknowledged - ackedAtKill} of them acknowledged after, the rest failed within {drain.ElapsedMilliseconds} ms; " +
                             $"{ledger.AcknowledgedCreates - before.AcknowledgedCreates} creates and {ledger.AcknowledgedMultis - before.AcknowledgedMultis} multis acknowledged this round");
            Assert.True(inFlightAtKill > 0, "the kill came with writes outstanding");
            await SiloRunner.CloseQuietlyAsync(client);
        }

        var (_, last) = await _runner.StartAsync(data, ports);
        await ledger.VerifyAsync(await _runner.ConnectAsync(last));
    }
}
