using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansZk.Testing;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// How replies find a client that left one of its gateways: a silo hands every message for a
/// client to its own gateway's record of that client when it has one, connected or not, and keeps
/// a disconnected record (with what is queued there) until the client comes back or
/// <see cref="SiloBuilderExtensions.ClientDropTimeout"/> passes. With Orleans' minute, a replica's
/// replies to such a client were lost for up to a minute (the ensemble crash tests saw a write
/// applied 41 times while its client retried).
/// </summary>
[Collection(ThreeReplicaCollection.Name)]
public sealed class ClientRouteTests(ThreeReplicaCluster fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_that_left_a_silos_gateway_gets_that_silos_replies_through_another_within_seconds()
    {
        await fixture.SettledLeaderAsync();
        var silo = fixture.SiloOf(1);
        // The client's gateways: the primary silo's, and replica 1's silo's through a relay the test can cut.
        await using var relay = TcpRelay.Start([silo.GatewayAddress.Endpoint.ToString()]);
        using var host = await EnsembleCluster.StartClientHostAsync(fixture.Cluster.Primary!.GatewayAddress.Endpoint, IPEndPoint.Parse(relay.Address));
        try
        {
            var client = host.Services.GetRequiredService<IClusterClient>();
            var replica = client.GetGrain<IZkReplicaGrain>(1);
            // Calls to every replica until the client has connected through the relay (then silo 1's
            // gateway has a record of it) and replica 1 answers.
            await Eventually.Until(async () =>
            {
                await Task.WhenAll(fixture.Ids.Select(id => client.GetGrain<IZkReplicaGrain>(id).GetStatus()));
                return relay.Relayed;
            }, n => n > 0, TimeSpan.FromSeconds(30), "a connection through the relay");

            // The client's connection to silo 1's gateway ends, and no new one opens: replica 1's
            // replies must come back through the primary's gateway.
            relay.Hold();
            var clock = Stopwatch.StartNew();
            var attempts = 0;
            var answered = false;
            while (!answered && clock.Elapsed < TimeSpan.FromSeconds(45))
            {
                attempts++;
                try
                {
                    await replica.GetStatus().WaitAsync(TimeSpan.FromSeconds(2));
                    answered = true;
                }
                catch (Exception e) when (e is TimeoutException or OrleansException)
                {
                    // Lost on the way back (or sent on the connection that just ended): ask again.
                }
            }
            var took = answered ? $"{clock.Elapsed.TotalSeconds:0.0} s" : $"no answer in {clock.Elapsed.TotalSeconds:0} s";
            output.WriteLine($"replica 1: {took} after the client left its silo's gateway ({attempts} attempts; {relay.Relayed} connections had been relayed)");
            Assert.True(answered && clock.Elapsed < TimeSpan.FromSeconds(30), $"replica 1: {took} after the client left its silo's gateway");
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
