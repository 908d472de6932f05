using System.Diagnostics;
using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>A replica lives only on the silo configured for it; without that silo it is down, never moved.</summary>
[Collection(TwoSiloCollection.Name)]
public sealed class PlacementTests(TwoSiloCluster fixture)
{
    [Fact]
    public async Task The_replica_runs_on_its_silo_refuses_others_and_fails_fast_when_its_silo_dies()
    {
        var client = fixture.Cluster.Client;
        var replica = client.GetGrain<IZkReplicaGrain>(1);
        var session = await replica.CreateSession(30_000, [1, 2, 3]);
        var write = await replica.Submit(session.SessionId, 1, new CreateRequest("/placed", null, [Acl.OpenUnsafe], CreateMode.Persistent));
        Assert.Equal(ZkErrorCode.Ok, write.Code);

        // No silo is configured for replica 2: a clear error at once, not an activation elsewhere.
        var missing = await Assert.ThrowsAsync<ReplicaUnavailableException>(() => client.GetGrain<IZkReplicaGrain>(2).GetServiceInfo());
        Assert.Contains("ReplicaId = 2", missing.Message);

        // Kill replica 1's silo: calls fail within seconds and keep failing with a clear error;
        // the replica is never re-placed on the surviving primary.
        var secondary = fixture.Cluster.SecondarySilos.Single();
        await fixture.Cluster.KillSiloAsync(secondary);
        var clock = Stopwatch.StartNew();
        var error = await Eventually.Until(async () =>
        {
            try
            {
                await client.GetGrain<IZkReplicaGrain>(1).GetServiceInfo().WaitAsync(TimeSpan.FromSeconds(5));
                return (Exception?)null;
            }
            catch (Exception e)
            {
                return e;
            }
        }, e => e is ReplicaUnavailableException, TimeSpan.FromSeconds(20), "a ReplicaUnavailableException");
        Assert.Contains("replica 1 is unavailable", error!.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }
}
