using System.Text;

namespace OrleansZk.Core.Tests;

/// <summary>A full, ordered textual dump of a tree — every node's data, ACL, stat and children, and the sessions — for exact comparisons.</summary>
internal static class TreeDump
{
    public static string Of(DataTree tree)
    {
        var sb = new StringBuilder();
        Walk(tree, "/", sb);
        foreach (var s in tree.Sessions.Values.OrderBy(s => s.SessionId))
            sb.Append("session ").Append(s.SessionId).Append(' ').Append(s.TimeoutMs).Append(' ').Append(Convert.ToHexString(s.Password)).Append('\n');
        foreach (var s in tree.Sessions.Keys.Order())
            sb.Append("ephemerals ").Append(s).Append(' ').Append(string.Join(",", tree.GetEphemerals(s, "/"))).Append('\n');
        return sb.ToString();
    }

    private static void Walk(DataTree tree, string path, StringBuilder sb)
    {
        var node = tree.GetNode(path)!;
        sb.Append(path).Append(' ').Append(node.Data == null ? "null" : Convert.ToHexString(node.Data))
          .Append(' ').Append(node.Acl).Append(' ').Append(node.ToStat()).Append(" owner=").Append(node.EphemeralOwner)
          .Append(" cv=").Append(node.Cversion).Append('\n');
        var kids = tree.GetChildren(path, new AuthInfo([new ZkId("super", "")], null)).Children.Order(StringComparer.Ordinal);
        foreach (var kid in kids) Walk(tree, ZkPath.Join(path, kid), sb);
    }

    /// <summary>
    /// The ephemeral nodes of sessions and ZooKeeper's approximate data size (each node's path
    /// length plus data length), counted by walking the whole tree: what the tree's running
    /// <see cref="DataTree.EphemeralCount"/> and <see cref="DataTree.ApproximateDataSize"/> must equal.
    /// </summary>
    public static (int Ephemerals, long DataSize) Recount(DataTree tree)
    {
        var paths = new List<string>();
        Collect(tree, "/", paths);
        var ephemerals = 0;
        long size = 0;
        foreach (var path in paths)
        {
            var node = tree.GetNode(path)!;
            if (node.EphemeralOwner != 0 && !EphemeralOwners.IsContainer(node.EphemeralOwner) && !EphemeralOwners.IsTtl(node.EphemeralOwner)) ephemerals++;
            size += path.Length + (node.Data?.Length ?? 0);
        }
        return (ephemerals, size);
    }

    /// <summary>The same tree, its nodes loaded in the reverse of the original's order (through a snapshot).</summary>
    public static DataTree RebuildInReverseOrder(DataTree tree)
    {
        var stream = new MemoryStream();
        tree.WriteSnapshot(stream);
        stream.Position = 0;
        var copy = DataTree.LoadSnapshot(stream);
        var reversed = DataTree.LoadSnapshot(Reverse(copy));
        return reversed;
    }

    private static MemoryStream Reverse(DataTree tree)
    {
        // Writing a snapshot while touching every node in reverse order makes the writer emit
        // them in that order (each node is captured before its change).
        var stream = new MemoryStream();
        var writer = tree.BeginSnapshot(stream);
        var paths = new List<string>();
        Collect(tree, "/", paths);
        paths.Reverse();
        var zxid = tree.LastZxid;
        foreach (var p in paths)
        {
            var stat = tree.GetNode(p)!;
            // A no-op change (same absolute values) that still triggers the capture.
            tree.Apply(new Txn(zxid, stat.Mtime, 0, 0, new SetAclTxn(p, stat.Acl, stat.Aversion)));
        }
        while (!writer.WriteSome(int.MaxValue)) { }
        stream.Position = 0;
        return stream;
    }

    private static void Collect(DataTree tree, string path, List<string> paths)
    {
        paths.Add(path);
        foreach (var kid in tree.GetChildren(path, new AuthInfo([new ZkId("super", "")], null)).Children)
            Collect(tree, ZkPath.Join(path, kid), paths);
    }
}
