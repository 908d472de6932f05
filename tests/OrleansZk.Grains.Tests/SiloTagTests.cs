namespace OrleansZk.Grains.Tests;

public sealed class SiloTagTests
{
    [Fact]
    public void A_tagged_name_gives_back_its_replica_and_gateway_and_an_untagged_one_nothing()
    {
        var name = SiloTag.Append("Secondary_2", 3, 30002);
        Assert.Equal("Secondary_2 [orleanszk replica=3 gateway=30002]", name);
        Assert.True(SiloTag.TryParse(name, out var replica, out var gateway));
        Assert.Equal((3L, 30002), (replica, gateway));

        Assert.True(SiloTag.TryParse(SiloTag.Append(null, 0, 0), out replica, out gateway));
        Assert.Equal((0L, 0), (replica, gateway));

        Assert.False(SiloTag.TryParse("Secondary_2", out _, out _));
        Assert.False(SiloTag.TryParse(null, out _, out _));
        Assert.False(SiloTag.TryParse("x [orleanszk replica=3 gateway=30002] later", out _, out _));
    }
}
