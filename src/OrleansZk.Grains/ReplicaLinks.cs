namespace OrleansZk.Grains;

/// <summary>
/// Which replica-to-replica links carry ZAB messages. In a service every link does; tests register
/// their own to cut links (a network partition between in-process silos) without touching the engine.
/// </summary>
internal interface IReplicaLinks
{
    /// <summary>Whether messages from replica <paramref name="from"/> to replica <paramref name="to"/> get through.</summary>
    bool Allows(long from, long to);
}

/// <summary>Every link works (the service's default).</summary>
internal sealed class AllReplicaLinks : IReplicaLinks
{
    public bool Allows(long from, long to) => true;
}
