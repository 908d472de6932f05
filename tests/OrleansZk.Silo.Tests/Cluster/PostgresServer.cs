using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>
/// A private PostgreSQL server for the tests: a new cluster made with the machine's PostgreSQL
/// binaries (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, Debian's layout) in a temporary
/// directory, listening on 127.0.0.1 on a free port, with password (SCRAM) authentication. Nothing
/// is installed or left behind, no other PostgreSQL on the machine is touched, and a test may stop
/// and start it at will. Run as root (as CI does), the server runs as the <c>postgres</c> user
/// (PostgreSQL refuses root) through <c>runuser</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const string Role = "orleanszk";

    private readonly string _bin;
    private readonly string _superPassword = Guid.NewGuid().ToString("N");
    private bool _roleMade;

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        Directory = directory;
        Port = port;
    }

    /// <summary>The cluster's data directory (also its socket directory and log).</summary>
    public string Directory { get; }

    public int Port { get; }

    /// <summary>The password of the role the test databases belong to.</summary>
    public string RolePassword { get; } = "zk-" + Guid.NewGuid().ToString("N")[..12];

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Makes the cluster and starts it.</summary>
    public static async Task<PostgresServer> StartNewAsync()
    {
        var bin = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), "orleanszk-pg-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new PostgresServer(bin, directory, FreePort());
        var passwordFile = Path.Combine(directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, server._superPassword);
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", directory]);
        var data = Path.Combine(directory, "data");
        await server.RunAsPostgresAsync("initdb", ["-D", data, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-sync"]);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the (stopped) server and waits until it accepts connections.</summary>
    public Task StartAsync() => RunAsPostgresAsync("pg_ctl", [
        "-D", Path.Combine(Directory, "data"), "-l", Path.Combine(Directory, "log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        "start"]);

    /// <summary>Stops the server (fast shutdown: open connections are cut) and waits until it is down.</summary>
    public async Task StopAsync()
    {
        await RunAsPostgresAsync("pg_ctl", ["-D", Path.Combine(Directory, "data"), "-m", "fast", "-w", "-t", "60", "stop"]);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// A new empty database owned by the test role; returns its connection string (as the silos
    /// and clients use it, password included).
    /// </summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "zk_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString(Superuser, _superPassword, "postgres"));
        await connection.OpenAsync();
        if (!_roleMade)
        {
            await ExecuteAsync(connection, $"CREATE ROLE {Role} LOGIN PASSWORD '{RolePassword}'");
            _roleMade = true;
        }
        await ExecuteAsync(connection, $"CREATE DATABASE {name} OWNER {Role}");
        return ConnectionString(Role, RolePassword, name);
    }

    public string ConnectionString(string user, string password, string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Password = password,
            Database = database,
        }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsPostgresAsync("pg_ctl", ["-D", Path.Combine(Directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task RunAsPostgresAsync(string tool, IReadOnlyList<string> args) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output} {await error}");
    }

    private static string FindBinaries()
    {
        var candidates = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0]
            : throw new InvalidOperationException("PostgreSQL's server binaries are not installed (/usr/lib/postgresql/<version>/bin/initdb): apt-get install postgresql");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
