namespace OrleansZk.Recipes.Tests.Support;

/// <summary>Waits with deadlines: on a task, or on a condition looked at again at every tick of a timer (never a bare sleep).</summary>
public static class Waits
{
    /// <summary>The task's result, failing the test if it has not completed within <paramref name="within"/>.</summary>
    public static async Task<T> Within<T>(this Task<T> task, TimeSpan within, string what)
    {
        try
        {
            return await task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {within.TotalSeconds:0.#} s waiting for {what}");
            throw;
        }
    }

    /// <summary>Completes with the task, failing the test if it has not completed within <paramref name="within"/>.</summary>
    public static async Task Within(this Task task, TimeSpan within, string what)
    {
        try
        {
            await task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {within.TotalSeconds:0.#} s waiting for {what}");
        }
    }

    /// <summary>Until <paramref name="condition"/> holds, looking every 20 ms; fails after <paramref name="within"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {within.TotalSeconds:0.#} s waiting for {what}");
            await tick.WaitForNextTickAsync();
        }
    }

    /// <summary>As <see cref="Until(Func{Task{bool}}, TimeSpan, string)"/> for a synchronous condition.</summary>
    public static Task Until(Func<bool> condition, TimeSpan within, string what) => Until(() => Task.FromResult(condition()), within, what);
}
