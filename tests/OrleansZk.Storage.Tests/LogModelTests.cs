using OrleansZk.Zab;

namespace OrleansZk.Storage.Tests;

/// <summary>
/// Random sequences of every <see cref="IZabStorage"/> operation, checked against an in-memory
/// model after each step and after reopening (seeded: a failure names its seed).
/// </summary>
public sealed class LogModelTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    private sealed class Model
    {
        public long Base;
        public List<LogEntry> Log = [];
        public HardState Hard;
        public long Last => Log.Count > 0 ? Log[^1].Zxid : Base;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void The_log_matches_a_model_through_random_operations_and_reopens(int seed)
    {
        var rng = new Random(seed);
        var dir = _tmp.Sub($"seed{seed}");
        var options = T.Options(dir, forceSync: seed % 2 == 0, segmentBytes: 4096);
        var model = new Model();
        var log = TxnLog.Open(dir, options);
        try
        {
            for (var step = 0; step < 400; step++)
            {
                var op = rng.Next(100);
                var what = "";
                if (op < 55)
                {
                    var n = rng.Next(1, 12);
                    var txns = Enumerable.Range(0, n).Select(i => T.Txn(model.Last + 1 + i, rng.Next(0, 700))).ToArray();
                    what = $"append {n} after 0x{model.Last:x}";
                    log.Append(txns);
                    model.Log.AddRange(txns);
                }
                else if (op < 65)
                {
                    var to = model.Base + rng.NextInt64(0, model.Last - model.Base + 1);
                    what = $"truncate after 0x{to:x}";
                    log.TruncateAfter(to);
                    model.Log.RemoveAll(t => t.Zxid > to);
                }
                else if (op < 68)
                {
                    var b = model.Last + rng.Next(-20, 50);
                    b = Math.Max(b, 0);
                    what = $"reset to 0x{b:x}";
                    log.ResetTo(b);
                    model.Log.Clear();
                    model.Base = b;
                }
                else if (op < 72)
                {
                    model.Hard = new HardState(model.Hard.CurrentEpoch + rng.Next(2), model.Hard.AcceptedEpoch + 1);
                    what = "hard state";
                    log.SetHardState(model.Hard);
                }
                else if (op < 80)
                {
                    var z = model.Base + rng.NextInt64(0, model.Last - model.Base + 1);
                    what = $"purge before 0x{z:x}";
                    log.PurgeBefore(z);
                    model.Base = log.BaseZxid; // segment-granular: the log decides how much goes
                    Assert.True(model.Base <= z, $"seed {seed}: purged past 0x{z:x}");
                    model.Log.RemoveAll(t => t.Zxid <= model.Base);
                }
                else if (op < 92)
                {
                    what = "sync";
                    log.Sync();
                }
                else
                {
                    what = "reopen";
                    log.Sync();
                    log.Dispose();
                    log = TxnLog.Open(dir, options);
                    Assert.Null(log.Recovery.TruncatedFile);
                }
                Check(log, model, $"seed {seed}, step {step} ({what})");
            }
        }
        finally
        {
            log.Dispose();
        }
    }

    private static void Check(TxnLog log, Model model, string where)
    {
        Assert.True(model.Base == log.BaseZxid, $"{where}: base 0x{log.BaseZxid:x}, model 0x{model.Base:x}");
        Assert.True(model.Last == log.LastZxid, $"{where}: last 0x{log.LastZxid:x}, model 0x{model.Last:x}");
        Assert.Equal(model.Hard, log.HardState);
        var actual = log.ReadRange(model.Base, model.Last);
        Assert.True(model.Log.Count == actual.Count, $"{where}: {actual.Count} records, model {model.Log.Count}");
        T.AssertSame(model.Log, actual);
    }
}
