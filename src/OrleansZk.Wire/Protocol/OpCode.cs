namespace OrleansZk.Wire.Protocol;

/// <summary>ZooKeeper's request types (<c>ZooDefs.OpCode</c>), with ZooKeeper's numbers.</summary>
public enum OpCode
{
    Notification = 0,
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetAcl = 6,
    SetAcl = 7,
    GetChildren = 8,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Check = 13,
    Multi = 14,
    Create2 = 15,
    Reconfig = 16,
    CheckWatches = 17,
    RemoveWatches = 18,
    CreateContainer = 19,
    DeleteContainer = 20,
    CreateTtl = 21,
    MultiRead = 22,
    Auth = 100,
    SetWatches = 101,
    Sasl = 102,
    GetEphemerals = 103,
    GetAllChildrenNumber = 104,
    SetWatches2 = 105,
    AddWatch = 106,
    WhoAmI = 107,
    CreateSession = -10,
    CloseSession = -11,

    /// <summary>A failed op in a multi's results (an <c>ErrorResult</c>), and the end marker's type.</summary>
    Error = -1,
}

/// <summary>What ZooKeeper's server tells apart about an op.</summary>
public static class OpCodes
{
    /// <summary>
    /// Whether the op changes the tree or the sessions (ZooKeeper's "quorum" requests, whose latency
    /// mntr reports as updatelatency; every other request answered through a session call is a read,
    /// readlatency — auth and ping are neither).
    /// </summary>
    public static bool IsUpdate(this OpCode op) => op is OpCode.Create or OpCode.Create2 or OpCode.CreateContainer
        or OpCode.CreateTtl or OpCode.Delete or OpCode.DeleteContainer or OpCode.SetData or OpCode.SetAcl
        or OpCode.Multi or OpCode.Check or OpCode.Reconfig or OpCode.CreateSession or OpCode.CloseSession;
}

/// <summary>The xids ZooKeeper reserves (<c>ClientCnxn</c>): replies with them are not matched to a request in order.</summary>
public static class Xids
{
    /// <summary>A watch notification (server to client).</summary>
    public const int Notification = -1;

    /// <summary>A ping and its reply.</summary>
    public const int Ping = -2;

    /// <summary>An auth packet and its reply.</summary>
    public const int Auth = -4;

    /// <summary>setWatches sent on reconnect by some clients (others give it an ordinary xid).</summary>
    public const int SetWatches = -8;
}

/// <summary>ZooKeeper's <c>Watcher.Event.KeeperState</c> values that go on the wire.</summary>
public static class KeeperStates
{
    /// <summary>Every node event is sent with this state.</summary>
    public const int SyncConnected = 3;
}
