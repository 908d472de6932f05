using Orleans.Hosting;

namespace OrleansZk;

public static class OrleansZkClientBuilderExtensions
{
    /// <summary>
    /// Registers the stream provider that carries watch events (<see cref="ZkDefaults.StreamProvider"/>,
    /// memory streams, partitioned as the silos'), so the client can subscribe to its session's stream:
    /// <c>client.GetStreamProvider(ZkDefaults.StreamProvider).GetStream&lt;WatchEvents&gt;(StreamId.Create(ZkDefaults.WatchStreamNamespace, sessionId))</c>.
    /// Every Orleans client of an OrleansZk service that uses watches calls it once when it is built.
    /// </summary>
    public static IClientBuilder AddOrleansZkStreams(this IClientBuilder builder) =>
        builder.AddMemoryStreams(ZkDefaults.StreamProvider, streams => streams.ConfigurePartitioning(ZkDefaults.StreamQueues));
}
