using System.Text.Json;

namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// A history as JSON lines, so a failing one can be saved beside a test's output and checked
/// again later. Line 1 is the header <c>{"format":"orleanszk-linearizability-history","version":1,"timestampFrequency":N}</c>;
/// every further line is one <see cref="Operation{TInput,TOutput}"/> in id order with camelCase
/// members (<c>id, clientId, key, input, call, return, outcome, output</c>), enums as names.
/// </summary>
public sealed partial class History<TInput, TOutput>
{
    /// <summary>
    /// Writes the header and every operation (pending ones as <see cref="Outcome.Unknown"/>).
    /// <paramref name="options"/> serialize the input and output types (default: web defaults).
    /// </summary>
    public void WriteTo(TextWriter writer, JsonSerializerOptions? options = null)
    {
        options ??= HistoryJson.Options;
        writer.WriteLine(JsonSerializer.Serialize(new HistoryJson.Header(HistoryJson.Format, HistoryJson.Version, TimestampFrequency), options));
        foreach (var op in Operations()) writer.WriteLine(JsonSerializer.Serialize(op, options));
    }

    /// <summary>Writes the history to <paramref name="path"/> (replacing it), as <see cref="WriteTo"/>.</summary>
    public void Save(string path, JsonSerializerOptions? options = null)
    {
        using var writer = new StreamWriter(path, append: false);
        WriteTo(writer, options);
    }

    /// <summary>Reads a history written by <see cref="WriteTo"/>; the result is read-only.</summary>
    /// <exception cref="InvalidDataException">Not such a history, or a line that does not parse (the message names it).</exception>
    public static History<TInput, TOutput> ReadFrom(TextReader reader, JsonSerializerOptions? options = null)
    {
        options ??= HistoryJson.Options;
        var header = Parse<HistoryJson.Header>(reader.ReadLine(), 1, options);
        if (header.Format != HistoryJson.Format || header.Version != HistoryJson.Version)
            throw new InvalidDataException($"line 1: not a history of format {HistoryJson.Format} version {HistoryJson.Version} ({header.Format} version {header.Version})");
        if (header.TimestampFrequency <= 0)
            throw new InvalidDataException($"line 1: timestampFrequency must be positive, not {header.TimestampFrequency}");

        var ops = new List<Operation<TInput, TOutput>>();
        var lineNumber = 1;
        for (var line = reader.ReadLine(); line != null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var op = Parse<Operation<TInput, TOutput>>(line, lineNumber, options);
            try
            {
                op.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"line {lineNumber}: {e.Message}", e);
            }
            ops.Add(op);
        }
        return new History<TInput, TOutput>(header.TimestampFrequency, ops);
    }

    /// <summary>Reads the history saved at <paramref name="path"/>, as <see cref="ReadFrom"/>.</summary>
    public static History<TInput, TOutput> Load(string path, JsonSerializerOptions? options = null)
    {
        using var reader = new StreamReader(path);
        return ReadFrom(reader, options);
    }

    private static T Parse<T>(string? line, int lineNumber, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line ?? "null", options)
                ?? throw new InvalidDataException($"line {lineNumber}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"line {lineNumber}: {e.Message}", e);
        }
    }
}

/// <summary>The JSON lines format's constants.</summary>
internal static class HistoryJson
{
    public const string Format = "orleanszk-linearizability-history";
    public const int Version = 1;

    /// <summary>camelCase, case-insensitive reading; enums carry their own string converters.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public sealed record Header(string Format, int Version, long TimestampFrequency);
}
