using OrleansZk.Recipes;
using OrleansZk.Recipes.Configuration;

// In the namespace of IConfigurationBuilder, as configuration providers' extensions are, so
// builder.Configuration.AddOrleansZk(...) needs no using.
namespace Microsoft.Extensions.Configuration;

/// <summary>Adds OrleansZk configuration to a configuration builder: <c>builder.Configuration.AddOrleansZk(...)</c>.</summary>
public static class ZkConfigurationExtensions
{
    /// <summary>Configuration from the subtree at <paramref name="root"/> of the service at <paramref name="connectString"/> (a client of its own), reloaded on change.</summary>
    public static IConfigurationBuilder AddOrleansZk(this IConfigurationBuilder builder, string connectString, string root, Action<ZkConfigurationSource>? configure = null)
    {
        var source = new ZkConfigurationSource { ConnectString = connectString, Root = root };
        configure?.Invoke(source);
        return builder.Add(source);
    }

    /// <summary>Configuration from the subtree at <paramref name="root"/>, read through <paramref name="session"/>, reloaded on change.</summary>
    public static IConfigurationBuilder AddOrleansZk(this IConfigurationBuilder builder, ZkSessionSource session, string root, Action<ZkConfigurationSource>? configure = null)
    {
        var source = new ZkConfigurationSource { Session = session, Root = root };
        configure?.Invoke(source);
        return builder.Add(source);
    }
}
