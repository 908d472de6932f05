using OrleansZk.Recipes.Caches;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>Service registration and discovery: instances appear and vanish in every cache, in order; providers; re-registration after expiry.</summary>
public sealed class DiscoveryTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    public sealed record Endpoint(string Scheme, int Weight);

    [Fact]
    public async Task Instances_appear_and_vanish_in_every_discovering_cache_in_order()
    {
        var basePath = P("services");
        var discoveries = new List<(ZkServiceDiscovery Discovery, EventLog<string> Log)>();
        for (var i = 0; i < 3; i++)
        {
            var d = Own(new ZkServiceDiscovery(NewClient(), basePath, "orders"));
            var log = new EventLog<string>();
            d.Changed += (_, c) => log.Add($"{c.Type} {c.Id}");
            await d.StartAsync();
            discoveries.Add((d, log));
        }
        var hostA = NewClient();
        var registryA = Own(new ZkServiceRegistry(hostA, basePath));
        var registryB = Own(new ZkServiceRegistry(NewClient(), basePath));
        var a = ServiceInstance.Create("orders", "10.0.0.1", 8080, new Endpoint("http", 3), id: "a");
        var b = ServiceInstance.Create("orders", "10.0.0.2", 8080, id: "b");
        await registryA.RegisterAsync(a);
        await registryB.RegisterAsync(b);
        await registryB.UnregisterAsync(b);
        await EndSessionAsync(hostA); // "a" vanishes with its session (as a killed process's would)

        string[] expected = ["Initialized ", "NodeAdded a", "NodeAdded b", "NodeRemoved b", "NodeRemoved a"];
        foreach (var (d, log) in discoveries)
        {
            await log.WaitUntilAsync(l => l.Count >= 5, Deadline, () => string.Join(" / ", discoveries.Select(x => string.Join(", ", x.Log.Items) + " now " + string.Join(",", x.Discovery.Instances.Select(i => i.Id)))));
            Assert.Equal(expected, log.Items);
            Assert.Empty(d.Instances);
        }
    }

    [Fact]
    public async Task Registrations_carry_curators_fields_and_providers_choose_among_the_current_instances()
    {
        var basePath = P("services");
        var registry = Own(new ZkServiceRegistry(NewClient(), basePath));
        var discovery = Own(new ZkServiceDiscovery(NewClient(), basePath, "api"));
        await discovery.StartAsync();
        var instances = Enumerable.Range(1, 3).Select(i => ServiceInstance.Create("api", $"h{i}", 9000 + i, new Endpoint("grpc", i), id: $"i{i}")).ToList();
        foreach (var i in instances) await registry.RegisterAsync(i);
        await Waits.Until(() => discovery.Instances.Count == 3, Deadline, "three instances");

        var json = System.Text.Json.JsonDocument.Parse((await Zk.GetDataAsync($"{basePath}/api/i2")).Data).RootElement;
        Assert.Equal("api", json.GetProperty("name").GetString());
        Assert.Equal("i2", json.GetProperty("id").GetString());
        Assert.Equal(9002, json.GetProperty("port").GetInt32());
        Assert.Equal("DYNAMIC", json.GetProperty("serviceType").GetString());
        Assert.True(json.GetProperty("registrationTimeUTC").GetInt64() > 0);
        Assert.Equal(new Endpoint("grpc", 2), discovery.Instances[1].PayloadAs<Endpoint>());

        var roundRobin = discovery.Provider(ProviderStrategy.RoundRobin);
        Assert.Equal(["i1", "i2", "i3", "i1"], Enumerable.Range(0, 4).Select(_ => roundRobin.GetInstance()!.Id));
        var random = discovery.Provider(ProviderStrategy.Random);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Contains(random.GetInstance()!.Id, new[] { "i1", "i2", "i3" }));
        var sticky = discovery.Provider(ProviderStrategy.Sticky);
        var first = sticky.GetInstance()!.Id;
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(first, sticky.GetInstance()!.Id));
        await registry.UnregisterAsync(instances.Single(i => i.Id == first));
        await Waits.Until(() => discovery.Instances.Count == 2, Deadline, "the sticky instance to go");
        Assert.NotEqual(first, sticky.GetInstance()!.Id);

        using var stop = new CancellationTokenSource(Deadline);
        await foreach (var snapshot in discovery.SnapshotsAsync(stop.Token))
        {
            Assert.Equal(2, snapshot.Count);
            break;
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.RegisterAsync(instances[1]));
        Assert.Throws<OrleansZk.Core.BadArgumentsException>(() => ServiceInstance.Create("a/b", "h", 1));
    }

    [Fact]
    public async Task An_instance_is_registered_again_on_the_new_session_after_its_session_expires()
    {
        var basePath = P("services");
        var source = NewSource();
        var registry = Own(new ZkServiceRegistry(source, basePath));
        var discovery = Own(new ZkServiceDiscovery(NewClient(), basePath, "jobs"));
        var log = new EventLog<string>();
        discovery.Changed += (_, c) => log.Add($"{c.Type} {c.Id}");
        await discovery.StartAsync();
        await registry.RegisterAsync(ServiceInstance.Create("jobs", "h", 1, id: "w"));
        await log.WaitUntilAsync(l => l.Contains("NodeAdded w"), Deadline, () => string.Join(", ", log.Items));

        await EndSessionAsync(source.Client);
        await log.WaitUntilAsync(l => l.Count(e => e == "NodeAdded w") == 2, Deadline, () => string.Join(", ", log.Items));
        Assert.Equal(["Initialized ", "NodeAdded w", "NodeRemoved w", "NodeAdded w"], log.Items);
    }
}
