namespace OrleansZk.Core;

/// <summary>
/// ZooKeeper path rules, exactly as <c>PathUtils.validatePath</c> of ZooKeeper 3.8: absolute, no
/// trailing slash except the root, no empty segment, no "." or ".." segment, no null character,
/// none of the code units U+0001–U+001F, U+007F–U+009F, U+D800–U+F8FF, U+FFF0–U+FFFF.
/// </summary>
public static class ZkPath
{
    public const string Root = "/";

    /// <summary>Returns null when <paramref name="path"/> is valid, else ZooKeeper's message for it.</summary>
    /// <param name="isSequential">A sequential create's path is validated with its suffix (a digit appended).</param>
    public static string? Check(string? path, bool isSequential = false)
    {
        if (path == null) return "Path cannot be null";
        return isSequential ? CheckCore(path + "1") : CheckCore(path);
    }

    /// <summary>Throws a BadArguments <see cref="ZkException"/> naming the path and the reason.</summary>
    public static void Validate(string? path, bool isSequential = false)
    {
        var reason = Check(path, isSequential);
        if (reason != null) throw new ZkException(ZkErrorCode.BadArguments, path, reason);
    }

    public static bool IsValid(string? path, bool isSequential = false) => Check(path, isSequential) == null;

    private static string? CheckCore(string path)
    {
        if (path.Length == 0) return "Path length must be > 0";
        if (path[0] != '/') return "Path must start with / character";
        if (path.Length == 1) return null;
        if (path[^1] == '/') return "Path must not end with / character";

        string? reason = null;
        var last = '/';
        for (var i = 1; i < path.Length; last = path[i], i++)
        {
            var c = path[i];
            if (c == 0) { reason = "null character not allowed @" + i; break; }
            if (c == '/' && last == '/') { reason = "empty node name specified @" + i; break; }
            if (c == '.' && last == '.')
            {
                if (path[i - 2] == '/' && (i + 1 == path.Length || path[i + 1] == '/'))
                {
                    reason = "relative paths not allowed @" + i;
                    break;
                }
            }
            else if (c == '.')
            {
                if (path[i - 1] == '/' && (i + 1 == path.Length || path[i + 1] == '/'))
                {
                    reason = "relative paths not allowed @" + i;
                    break;
                }
            }
            else if (IsForbidden(c))
            {
                reason = "invalid character @" + i;
                break;
            }
        }
        return reason == null ? null : "Invalid path string \"" + path + "\" caused by " + reason;
    }

    private static bool IsForbidden(char c) =>
        (c > '\u0000' && c <= '\u001f')
        || (c >= '\u007f' && c <= '\u009f')
        || (c >= '\ud800' && c <= '\uf8ff')
        || (c >= '\ufff0');

    /// <summary>The parent of a valid non-root path ("/a/b" → "/a", "/a" → "/").</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? Root : path[..slash];
    }

    /// <summary>The last segment of a valid non-root path ("/a/b" → "b").</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Joins a parent path and a child name.</summary>
    public static string Join(string parent, string name) => parent == Root ? "/" + name : parent + "/" + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it ("/a/b" is below "/a" and "/", not below "/ab").</summary>
    public static bool IsAtOrBelow(string path, string ancestor) =>
        ancestor == Root || (path.StartsWith(ancestor, StringComparison.Ordinal) && (path.Length == ancestor.Length || path[ancestor.Length] == '/'));
}
