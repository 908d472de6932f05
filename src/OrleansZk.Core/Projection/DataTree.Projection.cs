namespace OrleansZk.Core;

public sealed partial class DataTree
{
    /// <summary>A node's image (content, stat, child names), without an ACL check; null when absent.</summary>
    public NodeImage? GetImage(string path) =>
        _nodes.TryGetValue(path, out var node) ? ImageOf(path, node) : null;

    /// <summary>Every node's path, in no particular order (do not change the tree while enumerating).</summary>
    public IEnumerable<string> Paths() => _nodes.Keys;

    /// <summary>Images of every node whose path <paramref name="include"/> accepts, in no particular order.</summary>
    public List<NodeImage> Images(Func<string, bool> include)
    {
        var images = new List<NodeImage>();
        foreach (var (path, node) in _nodes)
            if (include(path)) images.Add(ImageOf(path, node));
        return images;
    }

    /// <summary>Data, ACL and stat of a node, without an ACL check (the service's own use).</summary>
    internal bool TryGetContent(string path, out byte[]? data, out AclList acl, out Stat stat)
    {
        if (_nodes.TryGetValue(path, out var node))
        {
            (data, acl, stat) = (node.Data, node.Acl, node.ToStat());
            return true;
        }
        (data, acl, stat) = (null, AclList.Empty, default);
        return false;
    }

    private static NodeImage ImageOf(string path, DataNode node) =>
        new(path, node.Data, node.Acl, node.ToStat(), ChildNames(path, node));
}
