using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansZk.Database;

/// <summary>Orleans' ADO.NET providers on an OrleansZk database (whose schema <see cref="SchemaMigrator"/> made).</summary>
public static class ZkDatabaseHostingExtensions
{
    /// <summary>The silo's membership table in <paramref name="database"/> (Microsoft.Orleans.Clustering.AdoNet).</summary>
    public static ISiloBuilder UseZkDatabaseClustering(this ISiloBuilder builder, ZkDatabase database) =>
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = database.OrleansInvariant;
            o.ConnectionString = database.ConnectionString;
        });

    /// <summary>
    /// Grain storage <paramref name="name"/> in <paramref name="database"/>
    /// (Microsoft.Orleans.Persistence.AdoNet), for the host's own grains (OrleansZk keeps no grain
    /// state), with states written by Orleans' own binary serializer (compact, and it knows every
    /// type Orleans can serialize).
    /// </summary>
    public static ISiloBuilder AddZkDatabaseGrainStorage(this ISiloBuilder builder, string name, ZkDatabase database)
    {
        builder.AddAdoNetGrainStorage(name, o =>
        {
            o.Invariant = database.OrleansInvariant;
            o.ConnectionString = database.ConnectionString;
        });
        builder.Services.AddOptions<AdoNetGrainStorageOptions>(name)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        return builder;
    }

    /// <summary>
    /// The client's gateway list read from the membership table in <paramref name="database"/>:
    /// the gateways of the silos that are active, refreshed every <paramref name="refreshPeriod"/>.
    /// </summary>
    public static IClientBuilder UseZkDatabaseClustering(this IClientBuilder builder, ZkDatabase database, TimeSpan refreshPeriod)
    {
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = database.OrleansInvariant;
            o.ConnectionString = database.ConnectionString;
        });
        builder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = refreshPeriod);
        return builder;
    }
}
