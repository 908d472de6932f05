using System.Text.Json.Serialization;

namespace OrleansZk.Testing.Linearizability;

/// <summary>The requests <see cref="ZnodeModel"/> understands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ZnodeOp>))]
public enum ZnodeOp
{
    Create,
    Delete,
    SetData,
    GetData,
    Exists,
}

/// <summary>A result code of <see cref="ZnodeModel"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ZnodeCode>))]
public enum ZnodeCode
{
    Ok,
    NoNode,
    NodeExists,
    BadVersion,

    /// <summary>
    /// The service turned the request away before ordering it (not leader, read-only, a part of a
    /// failed multi that was not the failing one): it did not take effect and says nothing about
    /// the node. Allowed in every state, changes nothing.
    /// </summary>
    Refused,
}

/// <summary>One request on one znode. Build with the factories.</summary>
/// <param name="Op">The request.</param>
/// <param name="Data">The data written (create, setData).</param>
/// <param name="Version">The expected version (delete, setData); -1 matches any.</param>
public sealed record ZnodeInput(ZnodeOp Op, ZnodeData Data = default, int Version = -1)
{
    public static ZnodeInput Create(ZnodeData data) => new(ZnodeOp.Create, data);
    public static ZnodeInput Delete(int expectedVersion = -1) => new(ZnodeOp.Delete, default, expectedVersion);
    public static ZnodeInput SetData(ZnodeData data, int expectedVersion = -1) => new(ZnodeOp.SetData, data, expectedVersion);
    public static ZnodeInput GetData() => new(ZnodeOp.GetData);
    public static ZnodeInput Exists() => new(ZnodeOp.Exists);

    /// <inheritdoc/>
    public override string ToString() => Op switch
    {
        ZnodeOp.Create => $"create {Data}",
        ZnodeOp.Delete => Version == -1 ? "delete" : $"delete if v{Version}",
        ZnodeOp.SetData => Version == -1 ? $"setData {Data}" : $"setData {Data} if v{Version}",
        _ => Op == ZnodeOp.GetData ? "getData" : "exists",
    };
}

/// <summary>
/// What a request on one znode got. Build with the factories: only the members that the request's
/// result carries are compared (<see cref="Version"/> for setData, <see cref="Data"/> and
/// <see cref="Version"/> for getData, <see cref="Found"/> and, if found, <see cref="Version"/> for exists).
/// </summary>
public sealed record ZnodeOutput(ZnodeCode Code, bool Found = false, ZnodeData Data = default, int Version = -1)
{
    /// <summary>create or delete succeeded.</summary>
    public static readonly ZnodeOutput Ok = new(ZnodeCode.Ok);
    public static readonly ZnodeOutput NoNode = new(ZnodeCode.NoNode);
    public static readonly ZnodeOutput NodeExists = new(ZnodeCode.NodeExists);
    public static readonly ZnodeOutput BadVersion = new(ZnodeCode.BadVersion);

    /// <summary>See <see cref="ZnodeCode.Refused"/>.</summary>
    public static readonly ZnodeOutput Refused = new(ZnodeCode.Refused);

    /// <summary>setData succeeded; the node's version is now <paramref name="newVersion"/>.</summary>
    public static ZnodeOutput Set(int newVersion) => new(ZnodeCode.Ok, true, default, newVersion);

    /// <summary>getData found the node with <paramref name="data"/> at <paramref name="version"/>.</summary>
    public static ZnodeOutput Get(ZnodeData data, int version) => new(ZnodeCode.Ok, true, data, version);

    /// <summary>exists answered: the node is there at <paramref name="version"/>, or it is not (<paramref name="found"/> false; version ignored).</summary>
    public static ZnodeOutput Exists(bool found, int version = -1) => new(ZnodeCode.Ok, found, default, found ? version : -1);

    /// <summary>The result as <paramref name="op"/> returns it: <c>ok</c>, <c>v3</c> (setData), <c>"a" v3</c> (getData), <c>absent</c>, an error code.</summary>
    public string Describe(ZnodeOp op) => Code != ZnodeCode.Ok ? Code.ToString() : op switch
    {
        ZnodeOp.SetData => $"v{Version}",
        ZnodeOp.GetData => $"{Data} v{Version}",
        ZnodeOp.Exists => Found ? $"exists v{Version}" : "absent",
        _ => "ok",
    };
}

/// <summary>A znode's state: whether it exists, its data and its data version (0 when created).</summary>
public readonly record struct ZnodeState(bool Exists, ZnodeData Data, int Version)
{
    /// <summary>No node.</summary>
    public static readonly ZnodeState Absent = new(false, default, -1);

    /// <inheritdoc/>
    public override string ToString() => Exists ? $"exists, data {Data}, version {Version}" : "no node";
}

/// <summary>
/// One znode as a versioned register, as ZooKeeper defines it: create (NodeExists if there),
/// delete and setData with an expected version (NoNode before BadVersion; -1 matches any;
/// setData returns the new version), getData and exists. The parent is assumed to exist and the
/// node to have no children. Deterministic, so <see cref="Step"/> is <see cref="Apply"/> and a
/// comparison of the relevant output members.
/// </summary>
public sealed class ZnodeModel(ZnodeState initial) : IModel<ZnodeState, ZnodeInput, ZnodeOutput>
{
    /// <summary>Every node starts absent.</summary>
    public ZnodeModel() : this(ZnodeState.Absent) { }

    /// <summary>The state every partition (node) starts in.</summary>
    public ZnodeState Initial(string partition) => initial;

    /// <summary>The sequential semantics: what <paramref name="input"/> returns in <paramref name="state"/>, and the state after it.</summary>
    public static (ZnodeOutput Output, ZnodeState State) Apply(ZnodeState state, ZnodeInput input)
    {
        switch (input.Op)
        {
            case ZnodeOp.Create:
                return state.Exists ? (ZnodeOutput.NodeExists, state) : (ZnodeOutput.Ok, new ZnodeState(true, input.Data, 0));
            case ZnodeOp.Delete:
                if (!state.Exists) return (ZnodeOutput.NoNode, state);
                if (input.Version != -1 && input.Version != state.Version) return (ZnodeOutput.BadVersion, state);
                return (ZnodeOutput.Ok, ZnodeState.Absent);
            case ZnodeOp.SetData:
                if (!state.Exists) return (ZnodeOutput.NoNode, state);
                if (input.Version != -1 && input.Version != state.Version) return (ZnodeOutput.BadVersion, state);
                var next = new ZnodeState(true, input.Data, state.Version + 1);
                return (ZnodeOutput.Set(next.Version), next);
            case ZnodeOp.GetData:
                return (state.Exists ? ZnodeOutput.Get(state.Data, state.Version) : ZnodeOutput.NoNode, state);
            case ZnodeOp.Exists:
                return (ZnodeOutput.Exists(state.Exists, state.Version), state);
            default:
                throw new ArgumentOutOfRangeException(nameof(input), input.Op, "not a znode request");
        }
    }

    /// <inheritdoc/>
    public (bool Ok, ZnodeState State) Step(ZnodeState state, ZnodeInput input, ZnodeOutput output)
    {
        if (output.Code == ZnodeCode.Refused) return (true, state);
        var (expected, next) = Apply(state, input);
        return Matches(input.Op, expected, output) ? (true, next) : (false, state);
    }

    /// <inheritdoc/>
    public ZnodeState StepUnknown(ZnodeState state, ZnodeInput input) => Apply(state, input).State;

    /// <inheritdoc/>
    public bool IsReadOnly(ZnodeInput input) => input.Op is ZnodeOp.GetData or ZnodeOp.Exists;

    /// <inheritdoc/>
    public string DescribeInput(ZnodeInput input) => input.ToString();

    /// <inheritdoc/>
    public string DescribeOutput(ZnodeInput input, ZnodeOutput output) => output.Describe(input.Op);

    /// <inheritdoc/>
    public string DescribeState(ZnodeState state) => state.ToString();

    private static bool Matches(ZnodeOp op, ZnodeOutput expected, ZnodeOutput observed)
    {
        if (expected.Code != observed.Code) return false;
        if (expected.Code != ZnodeCode.Ok) return true;
        return op switch
        {
            ZnodeOp.SetData => expected.Version == observed.Version,
            ZnodeOp.GetData => expected.Version == observed.Version && expected.Data == observed.Data,
            ZnodeOp.Exists => expected.Found == observed.Found && (!expected.Found || expected.Version == observed.Version),
            _ => true,
        };
    }
}
