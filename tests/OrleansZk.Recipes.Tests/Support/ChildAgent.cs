using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansZk.Recipes.Tests.Support;

/// <summary>
/// A child process running <see cref="Child.ChildProgram"/> (this test assembly, as a program): its
/// stdout as an <see cref="EventLog{T}"/> of lines, stdin for commands, SIGSTOP / SIGCONT / SIGKILL.
/// Disposing kills it if it still runs.
/// </summary>
public sealed class ChildAgent : IDisposable
{
    private readonly Process _process;

    private ChildAgent(Process process) => _process = process;

    /// <summary>Every line the child printed on stdout, in order.</summary>
    public EventLog<string> Lines { get; } = new();

    public int Pid => _process.Id;

    public static ChildAgent Start(params string[] args)
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
        var agent = new ChildAgent(Process.Start(info) ?? throw new InvalidOperationException("the child did not start"));
        agent._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null) agent.Lines.Add(e.Data);
        };
        agent._process.ErrorDataReceived += (_, _) => { };
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Waits for a line starting with <paramref name="prefix"/>; returns the rest of it.</summary>
    public async Task<string> WaitForAsync(string prefix, TimeSpan within, int occurrence = 1)
    {
        await Lines.WaitUntilAsync(l => l.Count(x => x.StartsWith(prefix, StringComparison.Ordinal)) >= occurrence, within,
            () => $"child line \"{prefix}\" #{occurrence}; got: {string.Join(" | ", Lines.Items)}");
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
