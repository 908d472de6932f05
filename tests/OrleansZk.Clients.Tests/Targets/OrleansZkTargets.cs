using OrleansZk.Clients.Tests.Suites;

namespace OrleansZk.Clients.Tests.Targets;

// The client suite against OrleansZk: the same programs, logs and transcripts as against Apache
// ZooKeeper 3.8 (ZooKeeperTargets.cs), run on real silo processes' client ports.

/// <summary>Two OrleansZk silos for the collection.</summary>
public sealed class OrleansZkFixture : TargetFixture
{
    protected override IZkTarget CreateTarget() => new OrleansZkTarget();
}

[CollectionDefinition(Name)]
public sealed class OrleansZkCollection : ICollectionFixture<OrleansZkFixture>
{
    public const string Name = "OrleansZk";
}

[Collection(OrleansZkCollection.Name)]
public sealed class KazooOnOrleansZk(OrleansZkFixture fixture) : KazooSuite(fixture);

[Collection(OrleansZkCollection.Name)]
public sealed class JavaClientOnOrleansZk(OrleansZkFixture fixture) : JavaClientSuite(fixture);

[Collection(OrleansZkCollection.Name)]
public sealed class ZkCliOnOrleansZk(OrleansZkFixture fixture) : ZkCliSuite(fixture);
