using OrleansZk.Cli.Tests.Support;

namespace OrleansZk.Cli.Tests.EndToEnd;

/// <summary>One service shared by the tests of the "service" collection; each test works under a root node of its own.</summary>
public sealed class SharedService : IAsyncLifetime
{
    public ServiceCluster Service { get; private set; } = null!;

    public async Task InitializeAsync() => Service = await ServiceCluster.StartAsync();

    public async Task DisposeAsync() => await Service.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedServiceCollection : ICollectionFixture<SharedService>
{
    public const string Name = "service";
}
