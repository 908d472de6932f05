using System.Text;

namespace OrleansZk.Core.Tests.Conformance;

/// <summary>
/// Plays a conformance scenario against OrleansZk's core — the Java client's client-side checks,
/// then <see cref="RequestPreparer"/> + <see cref="DataTree.Apply"/> for writes and the tree's
/// reads — and renders each answer in the recorded format.
/// </summary>
internal sealed class ConformanceHarness
{
    private const string ClientAddress = "127.0.0.1";
    private readonly DataTree _tree = new();
    private readonly RequestPreparer _preparer;
    private readonly Dictionary<string, (long Id, AuthInfo Auth)> _sessions = [];
    private readonly Dictionary<long, string> _names = [];
    private readonly HashSet<string> _closed = [];
    private bool _onClosedSession;
    private long _clock = 1_700_000_000_000;
    private int _xid;

    public ConformanceHarness() => _preparer = new RequestPreparer(_tree);

    public string Run(string line)
    {
        var t = ScenarioText.Tokenize(line);
        try
        {
            return Execute(t);
        }
        catch (RequestTooLargeException)
        {
            // ZooKeeper drops the connection (ConnectionLoss); we answer with a clear error. Same effect: nothing changes.
            return "ERR -4";
        }
        catch (ZkException e)
        {
            return e.Code == ZkErrorCode.BadArguments && e.Detail != null
                ? "ERR -8 " + ScenarioText.Escape(e.Detail)
                : "ERR " + (int)e.Code;
        }
    }

    private string Execute(List<(string Text, bool Quoted)> t)
    {
        switch (t[0].Text)
        {
            case "session":
                {
                    var txn = Write(new CreateSessionRequest(30_000, [1, 2, 3]), new RequestContext(0, 0, _clock, AuthInfo.Anonymous));
                    _tree.Apply(txn);
                    var id = ((CreateSessionTxn)txn.Body).SessionId;
                    _sessions[t[1].Text] = (id, AuthInfo.Anonymous.WithAddress(ClientAddress));
                    _names[id] = t[1].Text;
                    return "OK";
                }
            case "close":
                {
                    // Closing a closed handle again sends nothing.
                    if (!_closed.Add(t[1].Text)) return "OK";
                    var (id, auth) = _sessions[t[1].Text];
                    var txn = Write(new CloseSessionRequest(), Context(id, auth));
                    return Answer(_tree.Apply(txn));
                }
            case "validate":
                {
                    var seq = t[1].Text == "-s";
                    var reason = ZkPath.Check(t[^1].Text, seq);
                    return reason == null ? "OK" : "ERR -8 " + ScenarioText.Escape(reason);
                }
        }
        var name = t[0].Text;
        var session = _sessions[name];
        var args = t.Skip(2).ToList();
        // The Java client answers every call on a closed handle itself, after its argument checks.
        _onClosedSession = _closed.Contains(name);
        switch (t[1].Text)
        {
            case "addauth" when _onClosedSession:
                return "OK";
            case "addauth":
                _sessions[name] = (session.Id, session.Auth.Add(args[0].Text, args[1].Text));
                return "OK";
            case "get":
                {
                    var r = Read(new GetDataRequest(args[0].Text), () => _tree.GetData(args[0].Text, session.Auth));
                    return $"OK {ScenarioText.Data(r.Data)} {Render(r.Stat)}";
                }
            case "stat":
                {
                    var s = Read(new ExistsRequest(args[0].Text), () => _tree.Exists(args[0].Text, session.Auth));
                    return s == null ? "OK null" : "OK " + Render(s.Value);
                }
            case "ls":
                {
                    var r = Read(new GetChildrenRequest(args[0].Text), () => _tree.GetChildren(args[0].Text, session.Auth));
                    var names = r.Children.OrderBy(c => c, StringComparer.Ordinal).Select(ScenarioText.Escape);
                    return $"OK [{string.Join(",", names)}] {Render(r.Stat)}";
                }
            case "getacl":
                {
                    var r = Read(new GetAclRequest(args[0].Text), () => _tree.GetAcl(args[0].Text, session.Auth));
                    return $"OK {ScenarioText.Acl(r.Acl)} {Render(r.Stat)}";
                }
            case "count":
                return "OK " + Read(new GetAllChildrenNumberRequest(args[0].Text), () => _tree.GetAllChildrenNumber(args[0].Text, session.Auth));
            case "ephemerals":
                {
                    var list = Read(new GetEphemeralsRequest(args[0].Text), () => _tree.GetEphemerals(session.Id, args[0].Text));
                    return $"OK [{string.Join(",", list.Select(ScenarioText.Escape))}]";
                }
            case "sync":
                ClientValidation.Validate(new ExistsRequest(args[0].Text));
                NotClosed();
                return "OK";
            case "multi" when args.Count == 0:
                // ZooKeeper's client answers an empty multi itself: it sends nothing and consumes no zxid.
                return "OK []";
            case "multi":
                return WriteCommand(new MultiRequest(SplitOps(args).Select(ParseOp).ToList()), session);
            default:
                return WriteCommand(ParseOp(t.Skip(1).ToList()), session);
        }
    }

    private T Read<T>(ZkRequest request, Func<T> read)
    {
        ClientValidation.Validate(request);
        NotClosed();
        return read();
    }

    private string WriteCommand(WriteRequest request, (long Id, AuthInfo Auth) session)
    {
        ClientValidation.Validate(request);
        NotClosed();
        var txn = Write(request, Context(session.Id, session.Auth));
        return Answer(_tree.Apply(txn), request);
    }

    private void NotClosed()
    {
        if (_onClosedSession) throw new ZkException(ZkErrorCode.SessionExpired);
    }

    private Txn Write(WriteRequest request, RequestContext context) => _preparer.Prepare(request, context);

    private RequestContext Context(long session, AuthInfo auth) => new(session, ++_xid, _clock += 7, auth);

    private string Answer(ApplyResult result, WriteRequest? request = null)
    {
        if (result.MultiResults != null)
        {
            if (result.Code != ZkErrorCode.Ok)
                return $"ERR {(int)result.Code} [{string.Join(",", result.MultiResults.Select(r => (int)r.Code))}]";
            var ops = ((MultiRequest)request!).Ops;
            var parts = result.MultiResults.Select((r, i) => ops[i] switch
            {
                CreateRequest => "create " + ScenarioText.Escape(r.Path!),
                DeleteRequest => "delete",
                SetDataRequest => "set " + Render(r.Stat!.Value),
                _ => "check",
            });
            return $"OK [{string.Join(";", parts)}]";
        }
        if (result.Code != ZkErrorCode.Ok) return "ERR " + (int)result.Code;
        return request switch
        {
            CreateRequest => $"OK {ScenarioText.Escape(result.Result.Path!)} {Render(result.Result.Stat!.Value)}",
            SetDataRequest or SetAclRequest => "OK " + Render(result.Result.Stat!.Value),
            _ => "OK",
        };
    }

    private static List<List<(string Text, bool Quoted)>> SplitOps(List<(string Text, bool Quoted)> args)
    {
        var ops = new List<List<(string, bool)>>();
        var current = new List<(string, bool)>();
        foreach (var a in args)
        {
            if (a is { Text: ";", Quoted: false })
            {
                ops.Add(current);
                current = [];
            }
            else
            {
                current.Add(a);
            }
        }
        if (current.Count > 0) ops.Add(current);
        return ops;
    }

    /// <summary>One write op: create [-e] [-s] [-c] [-t TTL] PATH DATA [ACL] | delete PATH V | set PATH DATA V | setacl PATH ACL V | check PATH V.</summary>
    private static WriteRequest ParseOp(List<(string Text, bool Quoted)> t)
    {
        switch (t[0].Text)
        {
            case "create":
                {
                    bool e = false, s = false, c = false;
                    long ttl = -1;
                    var i = 1;
                    for (; i < t.Count && !t[i].Quoted && t[i].Text.StartsWith('-') && t[i].Text.Length == 2; i++)
                    {
                        switch (t[i].Text)
                        {
                            case "-e": e = true; break;
                            case "-s": s = true; break;
                            case "-c": c = true; break;
                            case "-t": ttl = long.Parse(t[++i].Text); break;
                        }
                    }
                    var mode = c ? CreateMode.Container
                        : ttl != -1 || t.Take(i).Any(x => x.Text == "-t") ? (s ? CreateMode.PersistentSequentialWithTtl : CreateMode.PersistentWithTtl)
                        : e ? (s ? CreateMode.EphemeralSequential : CreateMode.Ephemeral)
                        : s ? CreateMode.PersistentSequential : CreateMode.Persistent;
                    var acl = i + 2 < t.Count ? ParseAcl(t[i + 2]) : AclList.OpenUnsafe;
                    return new CreateRequest(t[i].Text, ScenarioText.ParseData(t[i + 1]), acl, mode, mode.IsTtl() ? ttl : -1);
                }
            case "delete": return new DeleteRequest(t[1].Text, int.Parse(t[2].Text));
            case "set": return new SetDataRequest(t[1].Text, ScenarioText.ParseData(t[2]), int.Parse(t[3].Text));
            case "setacl": return new SetAclRequest(t[1].Text, ParseAcl(t[2]), int.Parse(t[3].Text));
            case "check": return new CheckRequest(t[1].Text, int.Parse(t[2].Text));
            default: throw new FormatException("unknown command " + t[0].Text);
        }
    }

    private static AclList ParseAcl((string Text, bool Quoted) token) =>
        token.Text.Length == 0 ? AclList.Empty : Acl.ParseList(token.Text);

    private string Render(Stat s)
    {
        var owner = s.EphemeralOwner == 0 ? "0" : _names.GetValueOrDefault(s.EphemeralOwner, s.EphemeralOwner.ToString());
        var sb = new StringBuilder();
        sb.Append("{czxid=").Append(s.Czxid).Append(" mzxid=").Append(s.Mzxid).Append(" pzxid=").Append(s.Pzxid)
          .Append(" version=").Append(s.Version).Append(" cversion=").Append(s.Cversion).Append(" aversion=").Append(s.Aversion)
          .Append(" owner=").Append(owner).Append(" len=").Append(s.DataLength).Append(" children=").Append(s.NumChildren).Append('}');
        return sb.ToString();
    }
}
