using OrleansZk.Core;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Server;

/// <summary>
/// One frame to send: a reply (its request's xid, ZooKeeper's error code, and the response record
/// when the code is Ok) or a notification (xid -1, zxid -1, a <see cref="WatcherEvent"/>).
/// <paramref name="Zxid"/> null: the connection's last zxid when it is written (so the zxids a client
/// sees never go back); <paramref name="CloseAfter"/>: the connection closes once it is sent.
/// </summary>
public sealed record WireReply(int Xid, ZkErrorCode Err, WireResponse? Body, long? Zxid = null, bool CloseAfter = false)
{
    /// <summary>A watch notification: type, SyncConnected, path (ZooKeeper 3.8 sends zxid -1).</summary>
    public static WireReply Notification(int type, string path) =>
        new(Xids.Notification, ZkErrorCode.Ok, new WatcherEvent(type, KeeperStates.SyncConnected, path), Zxid: -1);

    /// <summary>The frame: length, <see cref="ReplyHeader"/>, and the body when the code is Ok.</summary>
    public byte[] Encode(long lastZxid)
    {
        var w = new JuteWriter();
        new ReplyHeader(Xid, Zxid ?? lastZxid, Err).Write(w);
        if (Err == ZkErrorCode.Ok) Body?.Write(w);
        return w.ToFrame();
    }
}
