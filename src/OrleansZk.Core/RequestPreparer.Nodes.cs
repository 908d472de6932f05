using System.Globalization;

namespace OrleansZk.Core;

public sealed partial class RequestPreparer
{
    private TxnBody PrepareCreate(CreateRequest r, Step step)
    {
        ValidateCreateMode(r);
        CheckSession(step);
        if (r.Mode.IsEphemeral() && step.SessionId == 0)
            throw new ZkException(ZkErrorCode.BadArguments, r.Path, "an ephemeral node needs a session");
        var parentPath = ParentForCreate(r.Path, r.Mode.IsSequential());
        var acl = AclRules.Fixup(r.Path, r.Acl, step.Auth);
        var parent = Record(parentPath);
        AclRules.Check(parent.Acl, Perms.Create, step.Auth, r.Path);

        // ZooKeeper numbers sequential nodes by the parent's persisted cversion, which counts child
        // creations only (deletions do not advance it), formatted %010d.
        var path = r.Mode.IsSequential()
            ? r.Path + SequenceSuffix(parent.Cversion)
            : r.Path;
        if (r.Mode.IsSequential()) ZkPath.Validate(path); // else ParentForCreate validated it whole
        if (Exists(path)) throw new ZkException(ZkErrorCode.NodeExists, path);
        if (EphemeralOwners.IsSessionOwned(parent.EphemeralOwner))
            throw new ZkException(ZkErrorCode.NoChildrenForEphemerals, path);

        var newCversion = parent.Cversion + 1;
        var owner = r.Mode.IsContainer() ? EphemeralOwners.Container
            : r.Mode.IsTtl() ? EphemeralOwners.ForTtl(r.Ttl)
            : r.Mode.IsEphemeral() ? step.SessionId
            : 0;
        _pending.Add(parent with { Zxid = step.Zxid, ChildCount = parent.ChildCount + 1, Cversion = newCversion });
        _pending.Add(new ChangeRecord(step.Zxid, path, true, 0, 0, 0, owner, 0, acl, step.Zxid, step.TimeMs));
        return new CreateTxn(path, r.Data, acl, owner, newCversion);
    }

    /// <summary>Java's %010d: ten characters, the sign counted ("-000000001" after an overflow).</summary>
    internal static string SequenceSuffix(int n) =>
        n >= 0 ? n.ToString("D10", CultureInfo.InvariantCulture) : "-" + (-(long)n).ToString("D9", CultureInfo.InvariantCulture);

    private void ValidateCreateMode(CreateRequest r)
    {
        if (!r.Mode.IsDefined()) throw new ZkException(ZkErrorCode.BadArguments, r.Path, $"unknown create mode {(int)r.Mode}");
        if (r.Mode.IsTtl() && !Options.TtlEnabled) throw new ZkException(ZkErrorCode.Unimplemented, r.Path, "TTL nodes are disabled");
        ClientValidation.ValidateTtl(r.Path, r.Mode, r.Ttl);
    }

    /// <summary>The parent of a path to create; the full path is validated once its suffix is known.</summary>
    private static string ParentForCreate(string path, bool sequential)
    {
        var lastSlash = path?.LastIndexOf('/') ?? -1;
        if (lastSlash == -1 || path!.Contains('\0')) throw new ZkException(ZkErrorCode.BadArguments, path, "not an absolute path");
        var reason = ZkPath.Check(path, sequential);
        if (reason != null) throw new ZkException(ZkErrorCode.BadArguments, path, reason);
        return lastSlash == 0 ? ZkPath.Root : path[..lastSlash];
    }

    /// <summary>The parent of a path to delete; "/" and the system nodes can never be deleted.</summary>
    private static string ParentForDelete(string path)
    {
        ZkPath.Validate(path);
        if (DataTree.IsSpecialPath(path)) throw new ZkException(ZkErrorCode.BadArguments, path, "a system node cannot be deleted");
        return ZkPath.Parent(path);
    }

    private TxnBody PrepareDelete(DeleteRequest r, Step step)
    {
        CheckSession(step);
        var parentPath = ParentForDelete(r.Path);
        var parent = Record(parentPath);
        AclRules.Check(parent.Acl, Perms.Delete, step.Auth, r.Path);
        var node = Record(r.Path);
        CheckAndIncVersion(node.Version, r.Version, r.Path);
        if (node.ChildCount > 0) throw new ZkException(ZkErrorCode.NotEmpty, r.Path);
        AddDeletion(step.Zxid, r.Path, parent);
        return new DeleteTxn(r.Path);
    }

    private void AddDeletion(long zxid, string path, ChangeRecord parent)
    {
        _pending.Add(parent with { Zxid = zxid, ChildCount = parent.ChildCount - 1 });
        _pending.Add(ChangeRecord.Deleted(zxid, path));
    }

    private TxnBody PrepareSetData(SetDataRequest r, Step step)
    {
        CheckSession(step);
        ZkPath.Validate(r.Path);
        var node = Record(r.Path);
        AclRules.Check(node.Acl, Perms.Write, step.Auth, r.Path);
        var version = CheckAndIncVersion(node.Version, r.Version, r.Path);
        _pending.Add(node with { Zxid = step.Zxid, Version = version, Mzxid = step.Zxid, Mtime = step.TimeMs });
        return new SetDataTxn(r.Path, r.Data, version);
    }

    private TxnBody PrepareSetAcl(SetAclRequest r, Step step)
    {
        CheckSession(step);
        ZkPath.Validate(r.Path);
        var acl = AclRules.Fixup(r.Path, r.Acl, step.Auth);
        var node = Record(r.Path);
        AclRules.Check(node.Acl, Perms.Admin, step.Auth, r.Path);
        var aversion = CheckAndIncVersion(node.Aversion, r.Aversion, r.Path);
        _pending.Add(node with { Zxid = step.Zxid, Aversion = aversion, Acl = acl });
        return new SetAclTxn(r.Path, acl, aversion);
    }

    private TxnBody PrepareCheck(CheckRequest r, Step step)
    {
        CheckSession(step);
        ZkPath.Validate(r.Path);
        var node = Record(r.Path);
        AclRules.Check(node.Acl, Perms.Read, step.Auth, r.Path);
        CheckAndIncVersion(node.Version, r.Version, r.Path);
        return new CheckTxn(r.Path, node.Version);
    }

    /// <summary>
    /// The service's deletion of an empty container or an expired TTL node. Conditional, so that a
    /// racing create or setData wins or loses cleanly: NotEmpty if it has children by now,
    /// BadVersion if it is no container/TTL node, changed since the scan, or (TTL) is not expired at
    /// this transaction's time.
    /// </summary>
    private TxnBody PrepareDeleteContainer(DeleteContainerRequest r, Step step)
    {
        var parentPath = ParentForDelete(r.Path);
        var node = Record(r.Path);
        if (node.ChildCount > 0) throw new ZkException(ZkErrorCode.NotEmpty, r.Path);
        var owner = node.EphemeralOwner;
        if (!EphemeralOwners.IsContainer(owner) && !EphemeralOwners.IsTtl(owner))
            throw new ZkException(ZkErrorCode.BadVersion, r.Path, "not a container or TTL node");
        if (node.Mzxid != r.ExpectedMzxid) throw new ZkException(ZkErrorCode.BadVersion, r.Path, "changed since the scan");
        if (EphemeralOwners.IsTtl(owner) && !ExpiryScanner.TtlExpired(node.Mtime, EphemeralOwners.Ttl(owner), step.TimeMs))
            throw new ZkException(ZkErrorCode.BadVersion, r.Path, "the TTL has not expired");
        AddDeletion(step.Zxid, r.Path, Record(parentPath));
        return new DeleteTxn(r.Path);
    }
}
