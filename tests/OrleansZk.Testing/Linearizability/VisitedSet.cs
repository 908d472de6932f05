using System.Runtime.InteropServices;

namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// The search's memo (Lowe's improvement of Wing and Gong): the (set of operations linearized,
/// model state) configurations already explored. Reaching one again cannot succeed where the
/// first visit failed, so the search skips it.
/// </summary>
/// <remarks>
/// A set is stored compactly: operations are numbered in call order, so a linearized set is
/// nearly always "everything below some point, a few around it, nothing far above". Only the
/// words between the first word that is not all ones and the last word that is not zero are kept;
/// that window (with its start) is canonical, so equal sets have equal windows. Buckets are keyed
/// by a Zobrist hash of the set, which the search keeps up to date in O(1) per step, mixed with
/// the state's hash; a bucket's entries are compared exactly, so collisions cost time, never answers.
/// </remarks>
internal sealed class VisitedSet<TState>(IEqualityComparer<TState> states)
{
    private sealed class Node(int lo, ulong[] window, TState state, Node? next)
    {
        public readonly int Lo = lo;
        public readonly ulong[] Window = window;
        public readonly TState State = state;
        public readonly Node? Next = next;
    }

    private readonly Dictionary<ulong, Node> _buckets = [];

    /// <summary>Configurations stored.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds the configuration (<paramref name="linearized"/>, <paramref name="state"/>);
    /// <paramref name="setHash"/> must be the XOR of <see cref="MemberHash"/> over the set. Returns false if it
    /// was already there. The caller may change <paramref name="linearized"/> afterwards.
    /// </summary>
    public bool Add(ReadOnlySpan<ulong> linearized, ulong setHash, TState state)
    {
        var key = setHash ^ Mix((ulong)(uint)states.GetHashCode(state!));
        var lo = linearized.IndexOfAnyExcept(ulong.MaxValue);
        if (lo < 0) lo = linearized.Length;
        var hi = linearized.LastIndexOfAnyExcept(0UL);
        var window = hi >= lo ? linearized[lo..(hi + 1)] : [];

        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(_buckets, key, out _);
        for (var node = head; node != null; node = node.Next)
            if (node.Lo == lo && window.SequenceEqual(node.Window) && states.Equals(node.State, state))
                return false;
        head = new Node(lo, window.ToArray(), state, head);
        Count++;
        return true;
    }

    /// <summary>Operation <paramref name="index"/>'s Zobrist value: a set's hash is the XOR of its members' values.</summary>
    public static ulong MemberHash(int index) => Mix((ulong)index + 0x5851F42D4C957F2DUL);

    /// <summary>SplitMix64's finalizer.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
