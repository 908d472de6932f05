namespace OrleansZk.Core.Tests;

/// <summary>
/// getChildren by pages: <see cref="SortedNames"/> against a sorted-set model under random adds and
/// removes, and <see cref="PartitionView.GetChildrenPage"/>'s order, continuation, errors, and walks
/// that run while children come and go.
/// </summary>
public sealed class ChildrenPageTests
{
    private static readonly AuthInfo Anyone = AuthInfo.Anonymous;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Sorted_names_agree_with_a_sorted_set_under_random_adds_and_removes(int seed)
    {
        var random = new Random(seed);
        var names = new SortedNames();
        var model = new SortedSet<string>(StringComparer.Ordinal);
        var splits = 0;
        for (var step = 0; step < 40_000; step++)
        {
            // Adds win early (the set grows over several blocks), removes later (blocks shrink and merge).
            var name = "n" + random.Next(6_000).ToString("D5");
            var blocks = names.Blocks.Count;
            if (random.Next(100) < (step < 20_000 ? 70 : 25)) Assert.Equal(model.Add(name), names.Add(name));
            else Assert.Equal(model.Remove(name), names.Remove(name));
            if (names.Blocks.Count > blocks) splits++;
            if (step % 997 == 0) AssertSame(model, names, random);
        }
        AssertSame(model, names, random);
        Assert.True(splits > 5, $"only {splits} block splits: the test never exercised them");
    }

    [Fact]
    public void A_set_built_from_unordered_names_with_duplicates_holds_each_once_in_order()
    {
        var shuffled = Enumerable.Range(0, 3_000).Select(i => "c" + i).Concat(["c7", "c7"]).OrderBy(s => s.GetHashCode()).ToArray();
        var names = SortedNames.Of(shuffled);
        Assert.Equal(3_000, names.Count);
        Assert.Equal(shuffled.Distinct().Order(StringComparer.Ordinal), names);
        Assert.All(names.Blocks, b => Assert.InRange(b.Count, 1, SortedNames.MaxBlock));
    }

    [Fact]
    public void Pages_come_in_ordinal_order_as_Java_compares_strings()
    {
        // UTF-16 code units: upper case before lower, '-' (0x2D) before '0', U+00E9 before U+4E2D,
        // and a surrogate pair (0xD83D...) before U+FF21 — where UTF-8 byte order would differ.
        string[] names = ["b", "a-1", "a0", "Z", "é", "中", "\U0001F600", "Ａ", "a"];
        var view = ViewWith("/p", names);
        var all = Walk(view, "/p", 2);
        Assert.Equal(["Z", "a", "a-1", "a0", "b", "é", "中", "\U0001F600", "Ａ"], all);
        Assert.Equal(names.Order(StringComparer.Ordinal), all);
    }

    [Fact]
    public void The_continuation_is_the_last_name_when_more_follow_and_null_on_the_last_page()
    {
        var view = ViewWith("/p", ["a", "b", "c", "d", "e"]);
        var first = view.GetChildrenPage("/p", 2, null, Anyone);
        Assert.Equal(["a", "b"], first.Children);
        Assert.Equal("b", first.Continuation);
        Assert.Equal(5, first.Stat.NumChildren);
        var second = view.GetChildrenPage("/p", 3, first.Continuation, Anyone);
        Assert.Equal(["c", "d", "e"], second.Children);
        Assert.Null(second.Continuation); // exactly filled: no empty page to ask for
        // Any name starts a page, child or not.
        Assert.Equal(["c", "d"], view.GetChildrenPage("/p", 2, "bb", Anyone).Children);
        Assert.Empty(view.GetChildrenPage("/p", 2, "z", Anyone).Children);
        Assert.Null(view.GetChildrenPage("/p", 2, "z", Anyone).Continuation);
        // A node without children: one empty last page.
        var leaf = view.GetChildrenPage("/p/a", 10, null, Anyone);
        Assert.Empty(leaf.Children);
        Assert.Null(leaf.Continuation);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-1, null)]
    [InlineData(GetChildrenPageRequest.MaxPageSize + 1, null)]
    [InlineData(10, "")]
    [InlineData(10, "a/b")]
    public void Bad_page_arguments_are_BadArguments_on_the_view_and_in_client_validation(int pageSize, string? after)
    {
        var view = ViewWith("/p", ["a"]);
        Assert.Equal(ZkErrorCode.BadArguments, Assert.Throws<ZkException>(() => view.GetChildrenPage("/p", pageSize, after, Anyone)).Code);
        Assert.Equal(ZkErrorCode.BadArguments, Assert.Throws<ZkException>(() => ClientValidation.Validate(new GetChildrenPageRequest("/p", pageSize, after))).Code);
        // Bad arguments are refused before the node is looked up.
        Assert.Equal(ZkErrorCode.BadArguments, Assert.Throws<ZkException>(() => view.GetChildrenPage("/missing", pageSize, after, Anyone)).Code);
    }

    [Fact]
    public void The_largest_page_size_is_accepted_and_a_bad_path_is_refused()
    {
        var view = ViewWith("/p", ["a"]);
        Assert.Equal(["a"], view.GetChildrenPage("/p", GetChildrenPageRequest.MaxPageSize, null, Anyone).Children);
        Assert.Equal(ZkErrorCode.BadArguments, Assert.Throws<ZkException>(() => view.GetChildrenPage("p/", 1, null, Anyone)).Code);
    }

    [Fact]
    public void A_missing_parent_is_NoNode_and_one_without_READ_is_NoAuth_as_getChildren()
    {
        var view = new PartitionView();
        var noRead = new AclList([new Acl(Perms.All & ~Perms.Read, ZkId.Anyone)]);
        view.Load([Image("/", []), Image("/secret", ["x"], noRead)], 10);
        Assert.Equal(ZkErrorCode.NoNode, Assert.Throws<ZkException>(() => view.GetChildrenPage("/missing", 5, null, Anyone)).Code);
        Assert.Equal(ZkErrorCode.NoAuth, Assert.Throws<ZkException>(() => view.GetChildrenPage("/secret", 5, null, Anyone)).Code);
        Assert.Equal(ZkErrorCode.NoAuth, Assert.Throws<ZkException>(() => view.GetChildren("/secret", Anyone)).Code);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void A_walk_while_children_come_and_go_sees_each_lasting_child_once_in_order(int seed)
    {
        var random = new Random(seed);
        var initial = Enumerable.Range(0, 5_000).Select(i => "k" + random.Next(1_000_000).ToString("D7")).Distinct().ToList();
        var view = ViewWith("/p", initial);
        var present = new HashSet<string>(initial, StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal); // created or deleted during the walk
        var zxid = 100L;
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = view.GetChildrenPage("/p", 1 + random.Next(200), after, Anyone);
            seen.AddRange(page.Children);
            after = page.Continuation;
            pages++;
            // Between pages: deletes and creates anywhere, before and after the walk's position.
            for (var i = 0; i < 40; i++)
            {
                var name = random.Next(2) == 0 && present.Count > 0
                    ? present.ElementAt(random.Next(present.Count))
                    : "k" + random.Next(1_000_000).ToString("D7");
                var add = !present.Contains(name);
                view.Apply(new TxnEffects(++zxid, [new NodeEffect("/p", true, false, default, false, null, null, [new ChildChange(name, add)])]));
                if (add) present.Add(name);
                else present.Remove(name);
                touched.Add(name);
            }
        }
        while (after != null);

        Assert.True(pages > 20, $"only {pages} pages");
        for (var i = 1; i < seen.Count; i++)
            Assert.True(string.CompareOrdinal(seen[i - 1], seen[i]) < 0, $"{seen[i - 1]} then {seen[i]}: not strictly increasing");
        var lasting = initial.Where(n => !touched.Contains(n)).ToList();
        Assert.True(lasting.Count > 1_000, "too few children outlived the changes to test anything");
        var seenSet = seen.ToHashSet(StringComparer.Ordinal);
        Assert.All(lasting, n => Assert.Contains(n, seenSet));
        // Nothing that never existed.
        Assert.All(seen, n => Assert.True(initial.Contains(n) || touched.Contains(n)));
    }

    [Fact]
    public void Effects_that_create_a_parent_again_start_its_children_empty()
    {
        var view = ViewWith("/p", ["a", "b"]);
        view.Apply(new TxnEffects(50, [new NodeEffect("/p", true, true, default, true, null, AclList.OpenUnsafe, [new ChildChange("c", true)])]));
        Assert.Equal(["c"], view.GetChildrenPage("/p", 10, null, Anyone).Children);
        view.Apply(new TxnEffects(51, [new NodeEffect("/p", true, false, default, false, null, null, [new ChildChange("c", false)])]));
        Assert.Empty(view.GetChildrenPage("/p", 10, null, Anyone).Children);
        Assert.Empty(view.GetChildren("/p", Anyone).Children);
    }

    private static List<string> Walk(PartitionView view, string path, int pageSize)
    {
        var all = new List<string>();
        string? after = null;
        do
        {
            var page = view.GetChildrenPage(path, pageSize, after, Anyone);
            Assert.InRange(page.Children.Count, 0, pageSize);
            all.AddRange(page.Children);
            after = page.Continuation;
        }
        while (after != null);
        return all;
    }

    private static PartitionView ViewWith(string parent, IEnumerable<string> children)
    {
        var list = children.ToList();
        var view = new PartitionView();
        view.Load([Image("/", [parent[1..]]), Image(parent, list), .. list.Take(1).Select(c => Image(parent + "/" + c, []))], 10);
        return view;
    }

    private static NodeImage Image(string path, IReadOnlyList<string> children, AclList? acl = null) =>
        new(path, null, acl ?? AclList.OpenUnsafe, new Stat { NumChildren = children.Count }, children);

    private static void AssertSame(SortedSet<string> model, SortedNames names, Random random)
    {
        Assert.Equal(model.Count, names.Count);
        Assert.Equal(model, names);
        Assert.All(names.Blocks, b => Assert.InRange(b.Count, 1, SortedNames.MaxBlock));
        for (var i = 0; i < 20; i++)
        {
            var after = random.Next(4) == 0 ? null : "n" + random.Next(6_100).ToString("D5");
            var limit = 1 + random.Next(700);
            var want = model.Where(n => after == null || string.CompareOrdinal(n, after) > 0).ToList();
            var (got, more) = names.After(after, limit);
            Assert.Equal(want.Take(limit), got);
            Assert.Equal(want.Count > limit, more);
        }
    }
}
