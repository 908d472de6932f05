using System.Globalization;
using System.Text.Json.Serialization;

namespace OrleansZk.Testing.Linearizability;

/// <summary>The requests <see cref="SequenceModel"/> understands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SequenceOp>))]
public enum SequenceOp
{
    /// <summary>Create a sequential child of the parent (the key).</summary>
    CreateSequential,

    /// <summary>List the parent's children.</summary>
    GetChildren,
}

/// <summary>One request on a parent's sequential children.</summary>
public sealed record SequenceInput(SequenceOp Op)
{
    public static readonly SequenceInput Create = new(SequenceOp.CreateSequential);
    public static readonly SequenceInput GetChildren = new(SequenceOp.GetChildren);

    /// <inheritdoc/>
    public override string ToString() => Op == SequenceOp.CreateSequential ? "create-sequential" : "getChildren";
}

/// <summary>What a request on a parent's sequential children got. Build with the factories.</summary>
/// <param name="IsRefused">The request was turned away before it was ordered: no effect, no information.</param>
/// <param name="Number">For a create: the sequence number the new child got.</param>
/// <param name="Children">For getChildren: the sequence numbers of the children listed, in any order.</param>
public sealed record SequenceOutput(bool IsRefused = false, int Number = -1, IReadOnlyList<int>? Children = null)
{
    /// <summary>The request did not take effect and tells nothing.</summary>
    public static readonly SequenceOutput Refused = new(IsRefused: true);

    /// <summary>create-sequential made the child numbered <paramref name="number"/>.</summary>
    public static SequenceOutput Created(int number) => new(Number: number);

    /// <summary>getChildren listed children with these sequence numbers.</summary>
    public static SequenceOutput Listed(IEnumerable<int> numbers) => new(Children: [.. numbers]);

    /// <inheritdoc/>
    public override string ToString() =>
        IsRefused ? "refused" : Children is null ? $"#{Number}" : $"[{string.Join(", ", Children.Order())}]";
}

/// <summary>
/// Sequential creates under one parent whose children nothing else changes: the parent's counter
/// (ZooKeeper's cversion) starts at <c>firstNumber</c>; a create-sequential is valid iff it returns
/// the current counter, and increments it; getChildren must list exactly the numbers from
/// <c>firstNumber</c> below the counter — a missing number is a gap, an extra one a phantom. The
/// state is the counter. Partitioned by key: record the parent's path as the key.
/// </summary>
public sealed class SequenceModel(int firstNumber = 0) : IModel<int, SequenceInput, SequenceOutput>
{
    /// <summary>The width of ZooKeeper's sequence suffix (<c>%010d</c>).</summary>
    public const int SuffixDigits = 10;

    /// <summary>The sequence number of a sequential node's name or path (its last ten characters).</summary>
    /// <exception cref="FormatException">The name does not end in ten digits.</exception>
    public static int NumberOf(string nameOrPath)
    {
        if (nameOrPath.Length < SuffixDigits ||
            !int.TryParse(nameOrPath.AsSpan(nameOrPath.Length - SuffixDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new FormatException($"'{nameOrPath}' does not end in a {SuffixDigits}-digit sequence number");
        return n;
    }

    /// <inheritdoc/>
    public int Initial(string partition) => firstNumber;

    /// <inheritdoc/>
    public (bool Ok, int State) Step(int counter, SequenceInput input, SequenceOutput output)
    {
        if (output.IsRefused) return (true, counter);
        if (input.Op == SequenceOp.CreateSequential)
            return output.Number == counter ? (true, counter + 1) : (false, counter);
        return (output.Children is { } children && IsExactly(children, counter), counter);
    }

    /// <inheritdoc/>
    public int StepUnknown(int counter, SequenceInput input) =>
        input.Op == SequenceOp.CreateSequential ? counter + 1 : counter;

    /// <inheritdoc/>
    public bool IsReadOnly(SequenceInput input) => input.Op == SequenceOp.GetChildren;

    /// <inheritdoc/>
    public string DescribeInput(SequenceInput input) => input.ToString();

    /// <inheritdoc/>
    public string DescribeOutput(SequenceInput input, SequenceOutput output) => output.ToString();

    /// <inheritdoc/>
    public string DescribeState(int counter) =>
        counter == firstNumber ? $"no children; next number {counter}" : $"children {firstNumber}..{counter - 1}; next number {counter}";

    private bool IsExactly(IReadOnlyList<int> children, int counter)
    {
        if (children.Count != counter - firstNumber) return false;
        var expected = firstNumber;
        foreach (var n in children.Order())
            if (n != expected++) return false;
        return true;
    }
}
