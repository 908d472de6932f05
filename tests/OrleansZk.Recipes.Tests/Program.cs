namespace OrleansZk.Recipes.Tests;

/// <summary>The test assembly's entry point: the child processes some tests start (the test runner loads the assembly as a library and never calls it).</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => Child.ChildProgram.RunAsync(args);
}
