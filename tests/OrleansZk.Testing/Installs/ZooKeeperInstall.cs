namespace OrleansZk.Testing.Installs;

/// <summary>
/// Debian's <c>zookeeper</c> package (Apache ZooKeeper 3.8: its jars under /usr/share/java, zkCli
/// under /usr/share/zookeeper/bin) and a Java compiler, installed when missing.
/// </summary>
public static class ZooKeeperInstall
{
    public const string JarDirectory = "/usr/share/java";

    /// <summary>ZooKeeper's own shell script (it runs <c>org.apache.zookeeper.ZooKeeperMain</c>).</summary>
    public const string ZkCli = "/usr/share/zookeeper/bin/zkCli.sh";

    /// <summary>The classpath of ZooKeeper's server and Java client (the jar's manifest brings jute, netty, slf4j-api, commons-cli).</summary>
    public static string ClassPath
    {
        get
        {
            var jars = new List<string> { Path.Combine(JarDirectory, "zookeeper.jar"), Path.Combine(JarDirectory, "zookeeper-jute.jar") };
            var nop = Path.Combine(JarDirectory, "slf4j-nop.jar");
            if (File.Exists(nop)) jars.Add(nop);
            return string.Join(':', jars);
        }
    }

    /// <summary>Installs what is missing; returns once zookeeper.jar, zkCli and javac are there. <paramref name="suite"/> names the suite in the error.</summary>
    public static Task EnsureAsync(string suite) => DebianPackages.EnsureAsync(
        suite,
        new DebianPackages.Need("zookeeper", () => Task.FromResult(File.Exists(Path.Combine(JarDirectory, "zookeeper.jar")) && File.Exists(ZkCli))),
        new DebianPackages.Need("default-jdk-headless", () => Task.FromResult(Command.FindOnPath("javac") != null)));
}
