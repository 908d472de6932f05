using System.Globalization;
using System.Text;
using Orleans;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// Runs commands through the SDK (one <see cref="ZkClient"/> per scenario session, all sharing one
/// Orleans client) and renders each answer as the recorder renders ZooKeeper's. Calls are made
/// one at a time, each awaited, as the recorder's synchronous Java client does.
/// </summary>
internal sealed class SdkSide(IClusterClient cluster) : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, ZkClient> _sessions = [];
    private readonly Dictionary<string, ZkClient> _closed = [];
    private readonly Dictionary<long, string> _names = [];

    /// <summary>The answer line, as the recorder would write it (absolute zxids).</summary>
    public async Task<string> RunAsync(Command command)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        var ct = timeout.Token;
        try
        {
            return await RunAsync(command, ct);
        }
        catch (ZkException e) when (e.Results != null)
        {
            return $"ERR {(int)e.Code} [{string.Join(",", e.Results.Select(r => (int)r.Code))}]";
        }
        catch (ZkException e) when (e.Code == ZkErrorCode.BadArguments && e.Detail != null)
        {
            // The SDK's own argument checks, as the Java client's IllegalArgumentException (the service's carry no detail).
            return "ERR -8 " + AnswerText.Escape(e.Detail);
        }
        catch (ZkException e)
        {
            return "ERR " + (int)e.Code;
        }
    }

    private async Task<string> RunAsync(Command command, CancellationToken ct)
    {
        switch (command)
        {
            case OpenSession open:
                {
                    var client = new ZkClient(cluster, new ZkClientOptions { SessionTimeoutMs = 30_000 });
                    await client.ConnectAsync(ct);
                    _sessions.Add(open.Name, client);
                    _names[client.SessionId] = open.Name;
                    return "OK";
                }
            case CloseSession close:
                {
                    var client = Client(close.Name);
                    _sessions.Remove(close.Name);
                    _closed[close.Name] = client;
                    await client.CloseAsync();
                    return "OK";
                }
            case AddAuth auth:
                await Client(auth.Session).AddAuthAsync("digest", Encoding.UTF8.GetBytes(auth.Credentials), ct);
                return "OK";
            case Read read:
                return await ReadAsync(Client(read.Session), read, ct);
            case Write write:
                return await WriteAsync(Client(write.Session), write.Request, ct);
            default:
                throw new ArgumentException("unknown command " + command);
        }
    }

    private async Task<string> ReadAsync(ZkClient zk, Read read, CancellationToken ct)
    {
        switch (read.Kind)
        {
            case "get":
                {
                    var r = await zk.GetDataAsync(read.Path, ct);
                    return $"OK {AnswerText.Data(r.Data)} {Stat(r.Stat)}";
                }
            case "stat":
                {
                    var s = await zk.ExistsAsync(read.Path, ct);
                    return "OK " + (s == null ? "null" : Stat(s.Value));
                }
            case "ls":
                {
                    var r = await zk.GetChildrenWithStatAsync(read.Path, ct);
                    return $"OK {AnswerText.List(r.Children)} {Stat(r.Stat)}";
                }
            case "getacl":
                {
                    var r = await zk.GetAclAsync(read.Path, ct);
                    return $"OK {AnswerText.Acl(r.Acl)} {Stat(r.Stat)}";
                }
            case "count":
                return "OK " + (await zk.GetAllChildrenNumberAsync(read.Path, ct)).ToString(CultureInfo.InvariantCulture);
            case "ephemerals":
                return "OK " + AnswerText.List(await zk.GetEphemeralsAsync(read.Path, ct));
            case "sync":
                await zk.SyncAsync(read.Path, ct);
                return "OK";
            default:
                throw new ArgumentException("unknown read " + read.Kind);
        }
    }

    private async Task<string> WriteAsync(ZkClient zk, WriteRequest request, CancellationToken ct)
    {
        switch (request)
        {
            case CreateRequest c:
                {
                    var r = await zk.CreateWithStatAsync(c.Path, c.Data, c.Acl, c.Mode, c.Ttl, ct);
                    return $"OK {AnswerText.Escape(r.Path)} {Stat(r.Stat)}";
                }
            case DeleteRequest d:
                await zk.DeleteAsync(d.Path, d.Version, ct);
                return "OK";
            case SetDataRequest s:
                return "OK " + Stat(await zk.SetDataAsync(s.Path, s.Data, s.Version, ct));
            case SetAclRequest a:
                return "OK " + Stat(await zk.SetAclAsync(a.Path, a.Acl, a.Aversion, ct));
            case MultiRequest m:
                {
                    var results = await zk.MultiAsync(m.Ops, ct);
                    var parts = results.Select((r, i) => m.Ops[i] switch
                    {
                        CreateRequest => "create " + AnswerText.Escape(r.Path!),
                        DeleteRequest => "delete",
                        SetDataRequest => "set " + Stat(r.Stat!.Value),
                        _ => "check",
                    });
                    return $"OK [{string.Join(";", parts)}]";
                }
            default:
                throw new ArgumentException("unknown write " + request);
        }
    }

    /// <summary>The session's client, open or closed (calls on a closed one fail as on a closed Java handle).</summary>
    private ZkClient Client(string name) => _sessions.GetValueOrDefault(name) ?? _closed[name];

    private string Stat(Stat s) => AnswerText.Stat(s, Owner);

    private string Owner(long id) =>
        id == 0 ? "0" : _names.GetValueOrDefault(id) ?? id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Closes every session still open, as the driver's "reset" does.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _sessions.Values.Concat(_closed.Values)) await client.DisposeAsync();
        _sessions.Clear();
        _closed.Clear();
    }
}
