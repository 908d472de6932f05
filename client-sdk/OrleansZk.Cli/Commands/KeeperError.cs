using OrleansZk.Cli.Output;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// A ZooKeeper error as zkCli's commands meet it (Java's <c>KeeperException</c>): the code and the
/// path of the request that failed — the Java client always reports the path it was asked about.
/// Commands that catch it do so where zkCli catches KeeperException; the rest reach the shell,
/// which prints <see cref="ErrorText.Cli"/>.
/// </summary>
internal sealed class KeeperError(ZkErrorCode code, string? path) : Exception(ErrorText.KeeperMessage(code, path))
{
    public ZkErrorCode Code { get; } = code;

    public string? Path { get; } = path;
}
