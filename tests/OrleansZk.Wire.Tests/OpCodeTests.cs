using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Tests;

public sealed class OpCodeTests
{
    /// <summary>mntr's updatelatency takes what ZooKeeper counts as quorum requests; readlatency the rest.</summary>
    [Fact]
    public void Updates_are_the_ops_that_change_the_tree_or_the_sessions()
    {
        OpCode[] updates =
        [
            OpCode.Create, OpCode.Create2, OpCode.CreateContainer, OpCode.CreateTtl, OpCode.Delete, OpCode.DeleteContainer,
            OpCode.SetData, OpCode.SetAcl, OpCode.Multi, OpCode.Check, OpCode.Reconfig, OpCode.CreateSession, OpCode.CloseSession,
        ];
        foreach (var op in Enum.GetValues<OpCode>())
            Assert.True(op.IsUpdate() == updates.Contains(op), $"{op}: IsUpdate is {op.IsUpdate()}");
        Assert.False(OpCode.Sync.IsUpdate());
        Assert.False(OpCode.MultiRead.IsUpdate());
    }
}
