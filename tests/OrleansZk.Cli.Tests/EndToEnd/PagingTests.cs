using OrleansZk.Cli.Tests.Support;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Cli.Tests.EndToEnd;

/// <summary>
/// The shell's <c>ls --page N [--after name]</c>: one page of children in ordinal order, the next
/// page's command on standard error, -s and -w with it, its errors; and <c>ls</c> without it as zkCli's.
/// </summary>
[Collection(SharedServiceCollection.Name)]
public sealed class PagingTests(SharedService shared) : IAsyncLifetime
{
    private readonly string _root = "/page-" + Guid.NewGuid().ToString("N")[..12];
    private ZkClient _observer = null!;

    public async Task InitializeAsync()
    {
        _observer = await shared.Service.ConnectAsync();
        await _observer.CreateAsync(_root, null);
        foreach (var name in new[] { "b", "a", "Z", "c d", "e" }) await _observer.CreateAsync(_root + "/" + name, null);
    }

    public async Task DisposeAsync() => await _observer.DisposeAsync();

    private Task<ShellRun> Run(string script) => ShellRun.RunAsync((_, ct) => shared.Service.ConnectAsync(ct), script);

    [Fact]
    public async Task Pages_print_as_ls_prints_and_the_next_page_command_goes_to_standard_error()
    {
        var run = await Run($"ls --page 2 {_root}\nls --page 2 --after a {_root}\nls --page 2 --after 'c d' {_root}\nls {_root}\n");

        Assert.Equal("Connecting to 127.0.0.1:30000\nWelcome to ZooKeeper!\n[Z, a]\n[b, c d]\n[e]\n[Z, a, b, c d, e]\n", run.Stdout);
        Assert.Equal($"Next page: ls --page 2 --after a {_root}\nNext page: ls --page 2 --after 'c d' {_root}\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task A_page_takes_s_for_the_stat_and_w_for_a_child_watch()
    {
        var stat = (await _observer.ExistsAsync(_root))!.Value;
        var run = await Run($"ls -s --page 10 -w {_root}\ncreate {_root}/f\n");

        Assert.Contains("[Z, a, b, c d, e]\ncZxid = 0x" + stat.Czxid.ToString("x") + "\n", run.Stdout);
        Assert.Contains("numChildren = 5\n", run.Stdout);
        Assert.Contains($"WatchedEvent state:SyncConnected type:NodeChildrenChanged path:{_root}\n", run.Stdout);
        Assert.Equal($"Created {_root}/f\n", run.Stderr);
    }

    [Theory]
    [InlineData("ls --page 0 {0}", "--page takes a page size from 1 to 10000, not \"0\"")]
    [InlineData("ls --page 10001 {0}", "--page takes a page size from 1 to 10000, not \"10001\"")]
    [InlineData("ls --page x {0}", "--page takes a page size from 1 to 10000, not \"x\"")]
    [InlineData("ls {0} --page", "--page needs a value")]
    [InlineData("ls --after a {0}", "--after needs --page")]
    [InlineData("ls --page 2 --after a/b {0}", "--after: \"a/b\" is not a child name to continue after (non-empty, without '/')")]
    [InlineData("ls -R --page 2 {0}", "-R lists a whole subtree and cannot be combined with --page")]
    [InlineData("ls --page 2 {0}/missing", "Node does not exist: {0}/missing")]
    [InlineData("ls --long {0}", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: --long")]
    public async Task Bad_paging_flags_are_refused_with_a_message_naming_them(string line, string error)
    {
        var run = await Run(string.Format(line, _root) + "\n");

        Assert.Equal(string.Format(error, _root) + "\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task Ls_help_and_usage_stay_zkCli_s()
    {
        var run = await Run($"ls -?\nls --page 2\n");
        Assert.Equal("Connecting to 127.0.0.1:30000\nWelcome to ZooKeeper!\nusage: ls [options] path\n -?   help\n -R   recurse\n -s   stat\n -w   watch\n", run.Stdout);
        // zkCli's ls -? prints its help, then the usage line for the missing path; --page with no path the same usage line.
        Assert.Equal("ls [-s] [-w] [-R] path\nls [-s] [-w] [-R] path\n", run.Stderr);
    }
}
