using System.Text;
using System.Threading.Channels;

namespace OrleansZk.Cli.Tests.Support;

/// <summary>Standard input a test types into while the shell runs: each <see cref="Type"/> is one line; <see cref="End"/> is the end of input.</summary>
public sealed class LiveInput : TextReader
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public void Type(string line) => _lines.Writer.TryWrite(line);

    public void End() => _lines.Writer.TryComplete();

    public override async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        try
        {
            return await _lines.Reader.ReadAsync(ct);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public override string? ReadLine() => ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
}

/// <summary>
/// An output stream the shell writes from several threads (its own and the SDK's, for watch
/// events) and a test reads while the shell runs, waiting for what it expects with a deadline.
/// </summary>
public sealed class LiveOutput : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LiveOutput() => NewLine = "\n";

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_lock) return _text.ToString();
        }
    }

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value ?? "");

    /// <summary>Returns once the text written so far satisfies <paramref name="condition"/>; fails the test, showing the text, after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            string text;
            Task changed;
            lock (_lock)
            {
                text = _text.ToString();
                changed = _changed.Task;
            }
            if (condition(text)) return;
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting for {what}; the output so far:\n{text}");
            }
        }
    }

    private void Append(string value)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _text.Append(value);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }
}
