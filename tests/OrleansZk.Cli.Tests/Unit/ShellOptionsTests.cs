namespace OrleansZk.Cli.Tests.Unit;

/// <summary>zkCli's command line (ZooKeeperMain.MyCommandOptions.parseOptions).</summary>
public sealed class ShellOptionsTests
{
    [Fact]
    public void Reads_server_timeout_and_command()
    {
        var options = ShellOptions.Parse(["-server", "h:1", "-timeout", "5000", "-r", "ls", "-s", "/"], interactive: false, TextWriter.Null);
        Assert.Equal("h:1", options.Server);
        Assert.Equal(5000, options.SessionTimeoutMs);
        Assert.Equal(["ls", "-s", "/"], options.Command);
    }

    [Fact]
    public void Without_a_command_reads_standard_input_against_the_default_gateway()
    {
        var options = ShellOptions.Parse(["-waitforconnection", "-client-configuration", "zk.properties"], interactive: true, TextWriter.Null);
        Assert.Equal("localhost:30000", options.Server);
        Assert.Null(options.Command);
        Assert.True(options.Interactive);
    }

    [Fact]
    public void An_option_without_its_value_stops_the_parsing_with_zkClis_message()
    {
        var error = new StringWriter { NewLine = "\n" };
        var options = ShellOptions.Parse(["-timeout", "10", "-server"], false, error);
        Assert.Equal("Error: no argument found for option -server\n", error.ToString());
        Assert.Equal(10, options.SessionTimeoutMs);
        Assert.Equal("localhost:30000", options.Server);
    }
}
