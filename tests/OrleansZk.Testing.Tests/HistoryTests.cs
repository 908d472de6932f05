using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>The recorder: numbering and times, unknown and unfinished operations, multis, threads, JSON lines.</summary>
public sealed class HistoryTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Now { get; set; }

        public override long GetTimestamp() => Now;

        public override long TimestampFrequency => 1_000_000_000;
    }

    [Fact]
    public void Operations_are_numbered_in_call_order_and_timed_by_the_clock()
    {
        var clock = new ManualClock { Now = 100 };
        var history = new History<ZnodeInput, ZnodeOutput>(clock);

        var create = history.Invoke(7, "/a", ZnodeInput.Create("x"));
        clock.Now = 110;
        var read = history.Invoke(8, "/a", ZnodeInput.GetData());
        clock.Now = 120;
        read.Ok(ZnodeOutput.Get("x", 0));
        clock.Now = 130;
        create.Ok(ZnodeOutput.Ok);

        Assert.Equal(
            [
                new Operation<ZnodeInput, ZnodeOutput>(0, 7, "/a", ZnodeInput.Create("x"), 100, 130, Outcome.Ok, ZnodeOutput.Ok),
                new Operation<ZnodeInput, ZnodeOutput>(1, 8, "/a", ZnodeInput.GetData(), 110, 120, Outcome.Ok, ZnodeOutput.Get("x", 0)),
            ],
            history.Operations());
        Assert.Equal(1_000_000_000, history.TimestampFrequency);
    }

    [Fact]
    public void Unknown_and_unfinished_operations_both_count_as_unknown()
    {
        var clock = new ManualClock { Now = 5 };
        var history = new History<ZnodeInput, ZnodeOutput>(clock);
        var lost = history.Invoke(1, "/a", ZnodeInput.Create("x"));
        history.Invoke(2, "/a", ZnodeInput.Delete());
        clock.Now = 9;
        lost.Unknown();

        var ops = history.Operations();

        Assert.Equal((Outcome.Unknown, 9L, (ZnodeOutput?)null), (ops[0].Outcome, ops[0].Return, ops[0].Output));
        Assert.Equal((Outcome.Unknown, (long?)null, (ZnodeOutput?)null), (ops[1].Outcome, ops[1].Return, ops[1].Output));
    }

    [Fact]
    public void An_operation_is_completed_once()
    {
        var history = new History<ZnodeInput, ZnodeOutput>();
        var op = history.Invoke(1, "/a", ZnodeInput.GetData());
        op.Fail(ZnodeOutput.NoNode);

        Assert.Throws<InvalidOperationException>(() => op.Ok(ZnodeOutput.Get("x", 0)));
        Assert.Throws<InvalidOperationException>(op.Unknown);
        Assert.Equal(Outcome.Fail, history.Operations()[0].Outcome);
    }

    [Fact]
    public void A_multi_is_one_operation_per_key_with_one_call_and_one_return_time()
    {
        var clock = new ManualClock { Now = 50 };
        var history = new History<ZnodeInput, ZnodeOutput>(clock);
        var multi = history.InvokeMulti(3, [("/m/a", ZnodeInput.Create("m")), ("/m/b", ZnodeInput.SetData("m"))]);
        clock.Now = 70;
        multi.Ok([ZnodeOutput.Ok, ZnodeOutput.Set(4)]);

        var ops = history.Operations();

        Assert.Equal([0, 1], multi.Parts.Select(p => p.Id));
        Assert.All(ops, o => Assert.Equal((3, 50L, 70L, Outcome.Ok), (o.ClientId, o.Call, o.Return!.Value, o.Outcome)));
        Assert.Equal(["/m/a", "/m/b"], ops.Select(o => o.Key));
        Assert.Throws<ArgumentException>(() => history.InvokeMulti(3, [("/m/c", ZnodeInput.Delete())]).Fail([]));
    }

    [Fact]
    public async Task Concurrent_clients_of_a_locked_register_record_a_linearizable_history()
    {
        var history = new History<ZnodeInput, ZnodeOutput>();
        var service = new LockedZnodes();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(client => Task.Run(() =>
        {
            var rng = new Random(client);
            for (var i = 0; i < 400; i++)
            {
                var key = $"/k{rng.Next(3)}";
                var input = rng.Next(4) switch
                {
                    0 => ZnodeInput.Create($"c{client}-{i}"),
                    1 => ZnodeInput.SetData($"c{client}-{i}", rng.Next(-1, 3)),
                    2 => ZnodeInput.Delete(rng.Next(-1, 3)),
                    _ => ZnodeInput.GetData(),
                };
                var op = history.Invoke(client, key, input);
                var output = service.Apply(key, input);
                if (i % 50 == 49) op.Unknown(); // the answer was lost, though the request took effect
                else if (output.Code == ZnodeCode.Ok) op.Ok(output);
                else op.Fail(output);
            }
        })));

        var result = LinearizabilityChecker.Check(new ZnodeModel(), history, Checks.Generous, new CheckOptions { ClientOrder = true });

        Checks.Linearizable(result);
        Assert.Equal(3200, result.Operations);
    }

    [Fact]
    public void A_service_that_answers_reads_from_a_lagging_copy_is_caught()
    {
        var history = new History<ZnodeInput, ZnodeOutput>();
        var service = new LockedZnodes();
        service.Apply("/k", ZnodeInput.Create("0"));
        var copy = new LockedZnodes();
        copy.Apply("/k", ZnodeInput.Create("0"));
        history.Invoke(1, "/k", ZnodeInput.Create("0")).Ok(ZnodeOutput.Ok);
        for (var i = 1; i <= 30; i++)
        {
            var write = ZnodeInput.SetData($"v{i}");
            var op = history.Invoke(1, "/k", write);
            op.Ok(service.Apply("/k", write));
            if (i % 10 == 0) copy.CatchUp("/k", service);
            var read = history.Invoke(2, "/k", ZnodeInput.GetData());
            read.Ok(copy.Apply("/k", ZnodeInput.GetData()));
        }

        var v = Checks.Illegal(LinearizabilityChecker.Check(new ZnodeModel(), history, Checks.Generous));

        Assert.Equal(ZnodeOp.GetData, v.Blocked.Input.Op);
    }

    [Fact]
    public void A_saved_history_reads_back_equal_and_checks_the_same()
    {
        var clock = new ManualClock { Now = 1 };
        var history = new History<ZnodeInput, ZnodeOutput>(clock);
        history.Invoke(1, "/bin", ZnodeInput.Create(new byte[] { 0xFF, 0x00, 0x7F })).Ok(ZnodeOutput.Ok);
        clock.Now = 10;
        history.Invoke(2, "/bin", ZnodeInput.SetData("text \"quoted\" ü", 0)).Ok(ZnodeOutput.Set(1));
        clock.Now = 20;
        history.Invoke(1, "/bin", ZnodeInput.SetData("lost")).Unknown();
        history.Invoke(3, "/bin", ZnodeInput.Delete(5));
        clock.Now = 30;
        history.Invoke(2, "/other", ZnodeInput.GetData()).Fail(ZnodeOutput.NoNode);
        clock.Now = 40;
        history.Invoke(2, "/bin", ZnodeInput.GetData()).Ok(ZnodeOutput.Get(new byte[] { 0xFF, 0x00, 0x7F }, 0));
        var path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.jsonl");
        try
        {
            history.Save(path);
            var loaded = History<ZnodeInput, ZnodeOutput>.Load(path);

            Assert.Equal(history.Operations(), loaded.Operations());
            Assert.Equal(history.TimestampFrequency, loaded.TimestampFrequency);
            Assert.Equal(Verdict.Illegal, LinearizabilityChecker.Check(new ZnodeModel(), loaded, Checks.Generous).Verdict);
            Assert.Throws<InvalidOperationException>(() => loaded.Invoke(1, "/bin", ZnodeInput.GetData()));
            var lines = File.ReadAllLines(path);
            Assert.StartsWith("{\"format\":\"orleanszk-linearizability-history\",\"version\":1,", lines[0]);
            Assert.Contains("{\"base64\":\"/wB/\"}", lines[1]);
            Assert.Contains("\"outcome\":\"Unknown\"", lines[3]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("", "line 1")]
    [InlineData("{\"format\":\"something else\",\"version\":1,\"timestampFrequency\":1}", "line 1: not a history")]
    [InlineData("{\"format\":\"orleanszk-linearizability-history\",\"version\":2,\"timestampFrequency\":1}", "version 2")]
    [InlineData("{\"format\":\"orleanszk-linearizability-history\",\"version\":1,\"timestampFrequency\":1}\n{\"id\":0,", "line 2")]
    [InlineData("{\"format\":\"orleanszk-linearizability-history\",\"version\":1,\"timestampFrequency\":1}\n\n{\"id\":0,\"clientId\":1,\"key\":\"/a\",\"input\":{\"op\":\"GetData\"},\"call\":5,\"return\":4,\"outcome\":\"Ok\",\"output\":{\"code\":\"NoNode\"}}", "line 3: operation 0 returned (4) before it was called (5)")]
    public void A_file_that_is_not_a_history_is_refused_with_the_line_at_fault(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => History<ZnodeInput, ZnodeOutput>.ReadFrom(new StringReader(text)));
        Assert.Contains(message, e.Message);
    }

    /// <summary>Znodes behind one lock: a linearizable service, applying <see cref="ZnodeModel.Apply"/>.</summary>
    private sealed class LockedZnodes
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, ZnodeState> _nodes = [];

        public ZnodeOutput Apply(string key, ZnodeInput input)
        {
            lock (_gate)
            {
                var (output, next) = ZnodeModel.Apply(_nodes.GetValueOrDefault(key, ZnodeState.Absent), input);
                _nodes[key] = next;
                return output;
            }
        }

        /// <summary>Copies <paramref name="source"/>'s node <paramref name="key"/> (a replica catching up).</summary>
        public void CatchUp(string key, LockedZnodes source)
        {
            lock (source._gate)
                lock (_gate)
                    _nodes[key] = source._nodes[key];
        }
    }
}
