using OrleansZk.Wire.Fuzz;

// Under AFL++ (README.md beside this file): each input from standard input, in a persistent loop.
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    FrameFuzzTarget.Run(copy.ToArray());
});
