namespace OrleansZk.Recipes.Tests.Child;

/// <summary>What a child process started by a test does (placeholder until the multi-process tests).</summary>
public static class ChildProgram
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length == 0 ? 2 : 0);
}
