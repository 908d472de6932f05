using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansZk.Recipes.Discovery;

/// <summary>
/// One registered instance of a service, stored as JSON in its node — the fields and names of
/// Curator's ServiceInstance, so Curator's discovery reads OrleansZk registrations and back.
/// </summary>
/// <param name="Name">The service's name (the registry's child node).</param>
/// <param name="Id">The instance's id, unique within the service (its node's name).</param>
/// <param name="Address">Where it listens (host name or address).</param>
/// <param name="Port">Its port, if any.</param>
/// <param name="Payload">Anything else, as JSON (<see cref="PayloadAs{T}"/>).</param>
/// <param name="RegistrationTimeUtc">When it registered, in milliseconds since the Unix epoch.</param>
public sealed record ServiceInstance(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("port")] int? Port,
    [property: JsonPropertyName("payload")] JsonElement? Payload,
    [property: JsonPropertyName("registrationTimeUTC")] long RegistrationTimeUtc)
{
    /// <summary>Curator's service type: DYNAMIC (an ephemeral registration).</summary>
    [JsonPropertyName("serviceType")]
    public string ServiceType { get; init; } = "DYNAMIC";

    /// <summary>Its SSL port, if any.</summary>
    [JsonPropertyName("sslPort")]
    public int? SslPort { get; init; }

    /// <summary>An instance of <paramref name="name"/> at <paramref name="address"/>:<paramref name="port"/>, registered now, with a new id unless given.</summary>
    /// <exception cref="OrleansZk.Core.BadArgumentsException">A name or id that is not a valid node name.</exception>
    public static ServiceInstance Create(string name, string? address, int? port, object? payload = null, string? id = null)
    {
        id ??= Guid.NewGuid().ToString("D");
        ZkPaths.Validate("/" + name, "service name");
        ZkPaths.Validate("/" + id, "instance id");
        if (name.Contains('/') || id.Contains('/')) throw new OrleansZk.Core.BadArgumentsException(null, "a service name or instance id is one node name (no '/')");
        JsonElement? json = payload == null ? null : JsonSerializer.SerializeToElement(payload);
        return new ServiceInstance(name, id, address, port, json, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>The payload read as <typeparamref name="T"/> (default when none).</summary>
    public T? PayloadAs<T>() => Payload is { } p ? p.Deserialize<T>() : default;

    /// <summary>The node's data.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>An instance from its node's data; null if the data is not an instance.</summary>
    public static ServiceInstance? FromJson(byte[]? data)
    {
        if (data == null || data.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize<ServiceInstance>(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
