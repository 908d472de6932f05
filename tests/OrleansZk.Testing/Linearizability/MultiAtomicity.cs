namespace OrleansZk.Testing.Linearizability;

/// <summary>One multi as <see cref="MultiAtomicity"/> sees it.</summary>
/// <param name="Id">Names it in reports (e.g. its first part's operation id).</param>
/// <param name="ClientId">The client that issued it.</param>
/// <param name="Outcome">How it ended for that client.</param>
/// <param name="Writes">
/// Each key it created or changed, with the value it left there. Each pair must be the multi's
/// own (no other operation leaves that value on that key) and nothing may change those keys after
/// it. With a nullable value type, null can stand for "deleted".
/// </param>
public sealed record MultiRecord<TValue>(int Id, int ClientId, Outcome Outcome, IReadOnlyDictionary<string, TValue> Writes);

/// <summary>
/// The all-or-nothing half of checking multis. The linearizability checker sees a multi as one
/// operation per key (same call and return times, see
/// <see cref="History{TInput,TOutput}.InvokeMulti"/>), which cannot tell a half-applied multi from
/// a whole one; this check, given a read of every key once the run is over, can.
/// </summary>
public static class MultiAtomicity
{
    /// <summary>
    /// Checks every multi against <paramref name="final"/> (the value of each key, read after all
    /// operations ended): of a multi's writes, either all are visible or none is; all are visible
    /// if it was acknowledged (<see cref="Outcome.Ok"/>) and none if it definitely failed
    /// (<see cref="Outcome.Fail"/>); an <see cref="Outcome.Unknown"/> multi may be either.
    /// </summary>
    /// <returns>One line per multi that breaks this, in input order; empty when all hold.</returns>
    /// <exception cref="ArgumentException">A key some multi wrote is missing from <paramref name="final"/>.</exception>
    public static IReadOnlyList<string> Check<TValue>(
        IEnumerable<MultiRecord<TValue>> multis, IReadOnlyDictionary<string, TValue> final, IEqualityComparer<TValue>? comparer = null)
    {
        comparer ??= EqualityComparer<TValue>.Default;
        var violations = new List<string>();
        foreach (var multi in multis)
        {
            var visible = new List<string>();
            var missing = new List<string>();
            foreach (var (key, value) in multi.Writes.OrderBy(w => w.Key, StringComparer.Ordinal))
            {
                if (!final.TryGetValue(key, out var seen))
                    throw new ArgumentException($"the final read has no value for {key}, written by multi {multi.Id}", nameof(final));
                (comparer.Equals(seen, value) ? visible : missing).Add(key);
            }

            var what = $"multi {multi.Id} (client {multi.ClientId}, {multi.Outcome})";
            if (visible.Count > 0 && missing.Count > 0)
                violations.Add($"{what} is partly visible: {string.Join(", ", visible)} show its writes, {string.Join(", ", missing)} do not");
            else if (multi.Outcome == Outcome.Ok && visible.Count == 0 && missing.Count > 0)
                violations.Add($"{what} was acknowledged, but none of its writes is visible ({string.Join(", ", missing)})");
            else if (multi.Outcome == Outcome.Fail && visible.Count > 0)
                violations.Add($"{what} failed, but its writes are visible ({string.Join(", ", visible)})");
        }
        return violations;
    }
}
