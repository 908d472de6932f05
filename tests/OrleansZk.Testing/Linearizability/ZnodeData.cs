using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// A znode's data compared by value: from a byte array (as the service returns it) or a string
/// (its UTF-8 bytes). Null data equals empty data, since services differ in which they return.
/// Immutable: the bytes are copied in.
/// </summary>
/// <remarks>
/// In JSON: a string when the bytes are valid UTF-8, otherwise <c>{"base64":"..."}</c>.
/// </remarks>
[JsonConverter(typeof(ZnodeDataJsonConverter))]
public readonly struct ZnodeData : IEquatable<ZnodeData>
{
    private const int ShownBytes = 32;
    private readonly byte[]? _bytes;

    /// <summary>A copy of <paramref name="bytes"/>.</summary>
    public ZnodeData(ReadOnlySpan<byte> bytes) => _bytes = bytes.ToArray();

    /// <summary>The bytes (empty for null data).</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The UTF-8 bytes of <paramref name="text"/>; null gives empty data.</summary>
    public static implicit operator ZnodeData(string? text) => text is null ? default : new(Encoding.UTF8.GetBytes(text));

    /// <summary>A copy of <paramref name="bytes"/>; null gives empty data.</summary>
    public static implicit operator ZnodeData(byte[]? bytes) => bytes is null ? default : new(bytes);

    /// <summary>Byte-wise equality.</summary>
    public bool Equals(ZnodeData other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ZnodeData other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    /// <summary>Byte-wise equality.</summary>
    public static bool operator ==(ZnodeData left, ZnodeData right) => left.Equals(right);

    /// <summary>Byte-wise inequality.</summary>
    public static bool operator !=(ZnodeData left, ZnodeData right) => !left.Equals(right);

    /// <summary>Quoted text when the bytes are printable UTF-8, else hex (long data shortened), for reports.</summary>
    public override string ToString()
    {
        var span = Span;
        if (Utf8.IsValid(span))
        {
            var text = Encoding.UTF8.GetString(span);
            if (!text.Any(char.IsControl))
                return text.Length <= ShownBytes ? $"\"{text}\"" : $"\"{text[..ShownBytes]}...\" ({span.Length} bytes)";
        }
        var hex = Convert.ToHexString(span[..Math.Min(span.Length, ShownBytes)]);
        return span.Length <= ShownBytes ? $"0x{hex}" : $"0x{hex}... ({span.Length} bytes)";
    }
}

/// <summary>Writes <see cref="ZnodeData"/> as a string when it is valid UTF-8, else as <c>{"base64":"..."}</c>; reads both, and null.</summary>
internal sealed class ZnodeDataJsonConverter : JsonConverter<ZnodeData>
{
    public override ZnodeData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.String:
                return new ZnodeData(Encoding.UTF8.GetBytes(reader.GetString()!));
            case JsonTokenType.StartObject:
                reader.Read();
                if (reader.TokenType != JsonTokenType.PropertyName || reader.GetString() != "base64")
                    throw new JsonException("znode data: expected a string or {\"base64\": ...}");
                reader.Read();
                var bytes = reader.GetBytesFromBase64();
                reader.Read();
                if (reader.TokenType != JsonTokenType.EndObject)
                    throw new JsonException("znode data: {\"base64\": ...} has other members");
                return new ZnodeData(bytes);
            default:
                throw new JsonException($"znode data: unexpected {reader.TokenType}");
        }
    }

    public override void Write(Utf8JsonWriter writer, ZnodeData value, JsonSerializerOptions options)
    {
        if (Utf8.IsValid(value.Span))
        {
            writer.WriteStringValue(value.Span);
            return;
        }
        writer.WriteStartObject();
        writer.WriteBase64String("base64", value.Span);
        writer.WriteEndObject();
    }
}
