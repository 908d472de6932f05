namespace OrleansZk.Cli;

/// <summary>
/// A command failed: the shell prints <see cref="Exception.Message"/> on standard error and the
/// process's exit code becomes <see cref="ExitCode"/> (zkCli's <c>CliException</c>; 127 for an
/// unknown command, 1 otherwise) until a later command succeeds.
/// </summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// An error zkCli does not catch: Java ends the shell with <c>Exception in thread "main" ...</c>
/// and exit code 1 (e.g. <c>set -v abc /a x</c>). The shell does the same, without the stack trace.
/// </summary>
public sealed class ShellCrashException(string javaException) : Exception("Exception in thread \"main\" " + javaException);
