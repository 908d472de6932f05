using OrleansZk.Clients.Tests.Suites;

namespace OrleansZk.Clients.Tests.Targets;

// The client suite against Apache ZooKeeper 3.8 itself: this proves the scripts, their expected
// logs and the transcript runner right. A target for OrleansZk is a file like this one with its
// own fixture (docs/conformance.md, "The client suite").

/// <summary>One ZooKeeper server for the collection.</summary>
public sealed class ZooKeeperFixture : TargetFixture
{
    protected override IZkTarget CreateTarget() => new ZooKeeperTarget();
}

[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "Apache ZooKeeper 3.8";
}

[Collection(ZooKeeperCollection.Name)]
public sealed class KazooOnZooKeeper(ZooKeeperFixture fixture) : KazooSuite(fixture);

[Collection(ZooKeeperCollection.Name)]
public sealed class JavaClientOnZooKeeper(ZooKeeperFixture fixture) : JavaClientSuite(fixture);

[Collection(ZooKeeperCollection.Name)]
public sealed class ZkCliOnZooKeeper(ZooKeeperFixture fixture) : ZkCliSuite(fixture);
