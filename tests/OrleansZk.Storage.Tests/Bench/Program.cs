using OrleansZk.Storage.Bench;

return args switch
{
    ["crash-writer", var dir] => await CrashWriter.RunAsync(dir),
    ["bench", ..] => await LogBench.RunAsync(args.Length > 1 ? args[1] : Path.GetTempPath()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: OrleansZk.Storage.Bench bench [tempRoot] | crash-writer <logDir>");
    return 2;
}
