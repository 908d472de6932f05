using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Changes to one read of a generated znode history (every value written unique, see
/// <see cref="RegisterWorkload"/> and <see cref="CrashWorkload"/>) that certainly break
/// linearizability; each returns the read and its wrong output, or null if the history offers no
/// such read.
/// </summary>
public static class Mutations
{
    /// <summary>A read returns the value of a write that was called only after the read returned.</summary>
    public static (Operation<ZnodeInput, ZnodeOutput> Read, ZnodeOutput Wrong)? FutureRead(List<Operation<ZnodeInput, ZnodeOutput>> ops, int seed) =>
        Shuffled(ops.Where(IsFoundRead), seed)
            .SelectMany(r => ops.Where(w => IsAppliedWrite(w) && w.Key == r.Key && w.Call > r.Return!.Value).Take(1).Select(w => (r, ReadOf(w))))
            .Cast<(Operation<ZnodeInput, ZnodeOutput>, ZnodeOutput)?>()
            .FirstOrDefault();

    /// <summary>
    /// A read returns the value of a write W1 although another write W2 was called after W1
    /// returned and itself returned before the read was called.
    /// </summary>
    public static (Operation<ZnodeInput, ZnodeOutput> Read, ZnodeOutput Wrong)? StaleRead(List<Operation<ZnodeInput, ZnodeOutput>> ops, int seed) =>
        Shuffled(ops.Where(IsFoundRead), seed)
            .SelectMany(r => ops.Where(w2 => IsAppliedWrite(w2) && w2.Key == r.Key && w2.Return < r.Call)
                .SelectMany(w2 => ops.Where(w1 => IsAppliedWrite(w1) && w1.Key == r.Key && w1.Return < w2.Call))
                .Take(1).Select(w1 => (r, ReadOf(w1))))
            .Cast<(Operation<ZnodeInput, ZnodeOutput>, ZnodeOutput)?>()
            .FirstOrDefault();

    /// <summary>A read returns a value nobody wrote.</summary>
    public static (Operation<ZnodeInput, ZnodeOutput> Read, ZnodeOutput Wrong)? NeverWritten(List<Operation<ZnodeInput, ZnodeOutput>> ops, int seed) =>
        Shuffled(ops.Where(IsFoundRead), seed)
            .Select(r => (r, ZnodeOutput.Get("never written", r.Output!.Version)))
            .Cast<(Operation<ZnodeInput, ZnodeOutput>, ZnodeOutput)?>()
            .FirstOrDefault();

    public static List<Operation<ZnodeInput, ZnodeOutput>> Replace(
        List<Operation<ZnodeInput, ZnodeOutput>> ops, Operation<ZnodeInput, ZnodeOutput> victim, ZnodeOutput output) =>
        ops.Select(o => o.Id == victim.Id ? o with { Output = output } : o).ToList();

    /// <summary>A create or setData that was acknowledged and applied, so its value was certainly written.</summary>
    private static bool IsAppliedWrite(Operation<ZnodeInput, ZnodeOutput> op) =>
        op.Input.Op is ZnodeOp.Create or ZnodeOp.SetData && op.Outcome == Outcome.Ok && op.Output!.Code == ZnodeCode.Ok;

    private static bool IsFoundRead(Operation<ZnodeInput, ZnodeOutput> op) =>
        op.Input.Op == ZnodeOp.GetData && op.Outcome == Outcome.Ok && op.Output!.Code == ZnodeCode.Ok;

    /// <summary>What a getData returns right after <paramref name="write"/> (an applied write).</summary>
    private static ZnodeOutput ReadOf(Operation<ZnodeInput, ZnodeOutput> write) =>
        ZnodeOutput.Get(write.Input.Data, write.Input.Op == ZnodeOp.Create ? 0 : write.Output!.Version);

    private static IEnumerable<T> Shuffled<T>(IEnumerable<T> items, int seed)
    {
        var rng = new Random(seed * 7919);
        return items.OrderBy(_ => rng.Next()).ToList();
    }
}
