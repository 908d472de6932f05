using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>The subtree walks of zkCli's ZKUtil, request for request, so that output and errors come in the same order.</summary>
internal static class TreeWalk
{
    /// <summary>
    /// ZKUtil.visitSubTreeDFS (<c>ls -R</c>, <c>setAcl -R</c>): reads the node (so a missing or
    /// unreadable one fails), visits it, then for each node visits all its children (sorted) before
    /// descending into each. A node deleted meanwhile is skipped. With a <paramref name="watcher"/>
    /// (<c>ls -R -w</c>) its reads set watches: a data watch on the top node, a child watch on every node.
    /// </summary>
    public static async Task VisitDepthFirstAsync(Connection connection, string path, Func<string, Task> visit, Action<WatchedEvent>? watcher = null)
    {
        await connection.Call(path, zk => zk.GetDataAsync(path, watcher));
        await visit(path);
        await VisitChildrenAsync(connection, path, visit, watcher);
    }

    private static async Task VisitChildrenAsync(Connection connection, string path, Func<string, Task> visit, Action<WatchedEvent>? watcher)
    {
        List<string> children;
        try
        {
            children = [.. await connection.Call(path, zk => zk.GetChildrenAsync(path, watcher))];
        }
        catch (KeeperError e) when (e.Code == ZkErrorCode.NoNode)
        {
            return;
        }
        children.Sort(StringComparer.Ordinal);
        foreach (var child in children) await visit(ZkPath.Join(path, child));
        foreach (var child in children) await VisitChildrenAsync(connection, ZkPath.Join(path, child), visit, watcher);
    }

    /// <summary>ZKUtil.listSubTreeBFS (<c>deleteall</c>): the node and everything below it, breadth first, parents before children.</summary>
    public static async Task<List<string>> ListBreadthFirstAsync(Connection connection, string root)
    {
        var tree = new List<string> { root };
        var queue = new Queue<string>(tree);
        while (queue.TryDequeue(out var node))
        {
            foreach (var child in await connection.Call(node, zk => zk.GetChildrenAsync(node)))
            {
                var childPath = ZkPath.Join(node, child);
                queue.Enqueue(childPath);
                tree.Add(childPath);
            }
        }
        return tree;
    }
}
