using OrleansZk.Cli.Output;
using OrleansZk.Core;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary>zkCli's error texts; the expected strings are lines of the recorded transcripts.</summary>
public sealed class ErrorTextTests
{
    [Theory]
    [InlineData(ZkErrorCode.NoNode, "/missing", "Node does not exist: /missing")]
    [InlineData(ZkErrorCode.NodeExists, "/a", "Node already exists: /a")]
    [InlineData(ZkErrorCode.NotEmpty, "/a", "Node not empty: /a")]
    [InlineData(ZkErrorCode.BadVersion, "/a/b", "version No is not valid : /a/b")]
    [InlineData(ZkErrorCode.NoChildrenForEphemerals, "/eph/child", "Ephemerals cannot have children: /eph/child")]
    [InlineData(ZkErrorCode.NoAuth, "/open", "Insufficient permission : /open")]
    [InlineData(ZkErrorCode.InvalidAcl, "/badacl", "Acl is not valid : /badacl")]
    [InlineData(ZkErrorCode.InvalidAcl, null, "Acl is not valid : null")]
    [InlineData(ZkErrorCode.BadArguments, "/zookeeper", "Arguments are not valid : /zookeeper")]
    [InlineData(ZkErrorCode.AuthFailed, "/a", "KeeperErrorCode = AuthFailed for /a")]
    [InlineData(ZkErrorCode.ConnectionLoss, "/e", "KeeperErrorCode = ConnectionLoss for /e")]
    [InlineData(ZkErrorCode.QuotaExceeded, "/q", "Quota has exceeded : /q")]
    public void Words_errors_as_zkCli(ZkErrorCode code, string? path, string text) => Assert.Equal(text, ErrorText.Cli(code, path));

    [Theory]
    [InlineData(ZkErrorCode.InvalidAcl, null, "KeeperErrorCode = InvalidACL")]
    [InlineData(ZkErrorCode.InvalidAcl, "/badacl", "KeeperErrorCode = InvalidACL for /badacl")]
    [InlineData(ZkErrorCode.NoAuth, "/emptyacl/c", "KeeperErrorCode = NoAuth for /emptyacl/c")]
    [InlineData(ZkErrorCode.NotEmpty, "/a", "KeeperErrorCode = Directory not empty for /a")]
    [InlineData(ZkErrorCode.UnknownSession, null, "KeeperErrorCode = Unknown error UNKNOWNSESSION")]
    public void Words_keeper_messages_as_the_3_8_Java_client(ZkErrorCode code, string? path, string text) =>
        Assert.Equal(text, ErrorText.KeeperMessage(code, path));
}
