using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansZk.Recipes.Tests.Support;

/// <summary>
/// A child process running <see cref="Child.ChildProgram"/> (this test assembly, as a program): its
/// stdout as an <see cref="EventLog{T}"/> of lines (and, for several children, one log of every
/// child's lines in the order they arrived), stdin for commands, SIGSTOP / SIGCONT / SIGKILL.
/// Disposing kills it if it still runs.
/// </summary>
public sealed class ChildAgent : IDisposable
{
    private readonly Process _process;

    private ChildAgent(Process process, string name) => (_process, Name) = (process, name);

    /// <summary>Every line the child printed on stdout, in order.</summary>
    public EventLog<string> Lines { get; } = new();

    /// <summary>The last lines the child printed on stderr (for failure messages).</summary>
    public EventLog<string> Errors { get; } = new();

    public string Name { get; }

    public int Pid => _process.Id;

    public static ChildAgent Start(params string[] args) => Start(null, "", args);

    /// <summary>Starts a child named <paramref name="name"/> whose lines also go to <paramref name="merged"/> as <c>"NAME LINE"</c>.</summary>
    public static ChildAgent StartInto(EventLog<string> merged, string name, params string[] args) => Start(merged, name, args);

    private static ChildAgent Start(EventLog<string>? merged, string name, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ChildAgent).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        var agent = new ChildAgent(Process.Start(info) ?? throw new InvalidOperationException("the child did not start"), name);
        agent._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            agent.Lines.Add(e.Data);
            merged?.Add(name + " " + e.Data);
        };
        agent._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null) agent.Errors.Add(e.Data);
        };
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Waits for a line starting with <paramref name="prefix"/>; returns the rest of it.</summary>
    public async Task<string> WaitForAsync(string prefix, TimeSpan within, int occurrence = 1)
    {
        await Lines.WaitUntilAsync(l => l.Count(x => x.StartsWith(prefix, StringComparison.Ordinal)) >= occurrence, within,
            () => $"child {Name} line \"{prefix}\" #{occurrence}; got: {string.Join(" | ", Lines.Items)}; stderr: {string.Join(" | ", Errors.Items.TakeLast(10))}");
        return Lines.Items.Where(x => x.StartsWith(prefix, StringComparison.Ordinal)).ElementAt(occurrence - 1)[prefix.Length..].Trim();
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public void Stop() => Signal(19);

    public void Continue() => Signal(18);

    public void Kill() => Signal(9);

    private void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal(18);
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
