using Orleans;
using OrleansZk.Core;

// The Core types carry only Orleans' attributes; their serializers are generated here.
[assembly: GenerateCodeForDeclaringAssembly(typeof(Stat))]

namespace OrleansZk;

/// <summary>The wire form of an <see cref="AclList"/> (its entries; the interned instance is rebuilt on arrival).</summary>
[GenerateSerializer, Alias("zk.AclListSurrogate")]
public struct AclListSurrogate
{
    [Id(0)] public Acl[] Entries;
}

[RegisterConverter]
public sealed class AclListConverter : IConverter<AclList, AclListSurrogate>
{
    public AclList ConvertFromSurrogate(in AclListSurrogate surrogate) => new(surrogate.Entries ?? []);

    public AclListSurrogate ConvertToSurrogate(in AclList value) => new() { Entries = value.ToArray() };
}
