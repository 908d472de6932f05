using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// The silo's <see cref="EnsembleDirectory"/> against fakes of the grain factory and the membership:
/// no Orleans runtime, so the lock order can be checked without a cluster.
/// </summary>
public sealed class EnsembleDirectoryTests
{
    /// <summary>
    /// A restarted silo once hung for good: Orleans held a starting replica activation's lock while
    /// its <c>OnActivateAsync</c> reported its role here (waiting for the directory's lock), and the
    /// directory, holding its lock, was sending that replica a status call (waiting for the
    /// activation's lock). Here the fake replica's status call plays the activation: it lets a
    /// report from another thread through before it answers — which it cannot while the directory
    /// asks under its lock.
    /// </summary>
    [Fact]
    public async Task Asking_the_replicas_holds_no_lock_that_a_replica_reporting_its_role_needs()
    {
        EnsembleDirectory directory = null!;
        var reportWentThrough = false;
        var replica = Fake<IZkReplicaGrain>(method =>
        {
            if (method.Name != nameof(IZkReplicaGrain.GetStatus)) throw new NotSupportedException(method.Name);
            reportWentThrough = Task.Run(() => directory.Report(1, 7)).Wait(TimeSpan.FromSeconds(10));
            return Task.FromResult(new ReplicaStatus(1, true, "Leading", "Broadcast", 1, 7, 7, 7, 0, 0, 0, true, [], 0, 0, 0, 0));
        });
        var grains = Fake<IGrainFactory>(method => method.Name == nameof(IGrainFactory.GetGrain) && method.ReturnType == typeof(IZkReplicaGrain)
            ? replica
            : throw new NotSupportedException(method.ToString()));
        var options = new ZkServiceOptions { Ensemble = "1", ReplicaId = 1 };
        directory = new EnsembleDirectory(Options.Create(options), grains, new ReplicaSilos(OneUntaggedActiveSilo()));

        var found = await directory.FindAsync(refresh: true).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(reportWentThrough, "a replica's report waited for the directory's lock while the directory was calling that replica");
        Assert.Equal((1L, 7L), (found.LeaderId, found.Epoch));
        Assert.Equal(1L, directory.Leader);
    }

    /// <summary>Membership with one active silo whose name carries no replica tag (it may host any).</summary>
    private static IClusterMembershipService OneUntaggedActiveSilo()
    {
        var silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
        var members = ImmutableDictionary<SiloAddress, ClusterMember>.Empty.Add(silo, new ClusterMember(silo, SiloStatus.Active, "silo"));
        var snapshot = new ClusterMembershipSnapshot(members, new MembershipVersion(1));
        return Fake<IClusterMembershipService>(method => method.Name == "get_" + nameof(IClusterMembershipService.CurrentSnapshot)
            ? snapshot
            : throw new NotSupportedException(method.Name));
    }

    private static T Fake<T>(Func<MethodInfo, object?> behaviour) where T : class
    {
        var fake = DispatchProxy.Create<T, FakeProxy>();
        ((FakeProxy)(object)fake).Behaviour = behaviour;
        return fake;
    }

    public class FakeProxy : DispatchProxy
    {
        public Func<MethodInfo, object?> Behaviour { get; set; } = _ => null;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Behaviour(targetMethod!);
    }
}
