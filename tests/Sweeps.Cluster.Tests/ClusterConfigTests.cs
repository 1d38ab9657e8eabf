using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

/// <summary>cluster.hocon: defaults, overrides by variables and flags, and errors that name the origin, the key path
/// and what was expected (never a password).</summary>
public sealed class ClusterConfigTests : IDisposable
{
    private const string Minimal = """
        sweeps {
          checkpoint-dir = ck
          store-path = db/sweeps.db
        }
        akka.cluster.split-brain-resolver.stable-after = 7s
        """;

    private static readonly Dictionary<string, string> NoEnv = [];

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ClusterConfig Parse(string text, Dictionary<string, string>? env = null, Dictionary<string, string>? flags = null) =>
        ClusterConfigFile.Parse(text, "cluster.hocon", _dir, env ?? NoEnv, flags);

    private ClusterConfigException Fails(string text, Dictionary<string, string>? env = null, Dictionary<string, string>? flags = null) =>
        Assert.Throws<ClusterConfigException>(() => Parse(text, env, flags));

    [Fact]
    public void Parse_MinimalFile_AppliesDefaultsAndResolvesPathsAgainstFileFolder()
    {
        var config = Parse(Minimal);

        Assert.Equal(("127.0.0.1", 2551), (config.Hostname, config.Port));
        Assert.Equal(["akka.tcp://sweeps@127.0.0.1:2551"], config.SeedNodes);
        Assert.Empty(config.Roles);
        Assert.Equal(Path.Combine(_dir, "ck"), config.CheckpointDirectory);
        Assert.Equal(Path.Combine(_dir, "db", "sweeps.db"), config.StorePath);
        Assert.Equal("127.0.0.1:9464", config.MetricsAddress);
        Assert.Equal(["cpu"], config.Devices);
        Assert.Empty(config.Nodes);
        Assert.Null(config.Tls);
        Assert.Equal(TimeSpan.FromSeconds(7), config.Akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
    }

    [Fact]
    public void Parse_SeedNodes_HostPortOrAkkaAddress_BecomeAkkaAddresses()
    {
        var config = Parse(Minimal + """

            sweeps.seed-nodes = ["gpu01:2551", "akka.tcp://sweeps@gpu02:2552", "10.0.0.7:2553"]
            """);

        Assert.Equal(["akka.tcp://sweeps@gpu01:2551", "akka.tcp://sweeps@gpu02:2552", "akka.tcp://sweeps@10.0.0.7:2553"], config.SeedNodes);
    }

    [Fact]
    public void Parse_NodesAndDevices_MapsEachHostToItsSlots()
    {
        var config = Parse(Minimal + """

            sweeps.devices = [cpu, cpu]
            sweeps.nodes {
              gpu01 { devices = ["cuda:0", "cuda:1"] }
              GPU02 { devices = ["cuda:0"] }
            }
            """);

        Assert.Equal(["cpu", "cpu"], config.Devices);
        Assert.Equal(["cuda:0", "cuda:1"], config.DevicesOf("gpu01"));
        Assert.Equal(["cuda:0"], config.DevicesOf("gpu02"));
        Assert.Equal(["cpu", "cpu"], config.DevicesOf("other"));
    }

    [Fact]
    public void Parse_ShortEnvironmentVariables_OverrideTheSweepsBlock_AndListsAreCommaSeparated()
    {
        var env = new Dictionary<string, string>
        {
            ["SWEEPS_HOSTNAME"] = "node07",
            ["SWEEPS_PORT"] = "2600",
            ["SWEEPS_SEED_NODES"] = "node01:2551, node07:2600",
            ["SWEEPS_CHECKPOINT_DIR"] = "/shared/ck",
            ["SWEEPS_DEVICES"] = "cuda:0,cuda:1",
            ["SWEEPS_ROLES"] = "big-gpu",
            ["SWEEPS_NODES_GPU09_DEVICES"] = "cuda:3",
            // Not keys of the sweeps block: other tools' variables are left alone.
            ["SWEEPS_TEST_FILTER"] = "x",
            ["SWEEPS_USER_PWD"] = "/tmp",
        };
        var config = Parse(Minimal, env);

        Assert.Equal(("node07", 2600), (config.Hostname, config.Port));
        Assert.Equal(["akka.tcp://sweeps@node01:2551", "akka.tcp://sweeps@node07:2600"], config.SeedNodes);
        Assert.Equal("/shared/ck", config.CheckpointDirectory);
        Assert.Equal(["cuda:0", "cuda:1"], config.Devices);
        Assert.Equal(["big-gpu"], config.Roles);
        Assert.Equal(["cuda:3"], config.DevicesOf("gpu09"));
    }

    [Fact]
    public void Parse_PathVariablesAndFlags_OverrideAnyAkkaKey_FlagsWinOverVariables()
    {
        var env = new Dictionary<string, string>
        {
            ["SWEEPS__akka__cluster__split_brain_resolver__stable_after"] = "9s",
            ["SWEEPS__akka__loglevel"] = "DEBUG",
            ["SWEEPS_PORT"] = "2600",
        };
        var flags = new Dictionary<string, string> { ["akka.loglevel"] = "ERROR", ["port"] = "2700", ["sweeps.store-path"] = "other.db" };
        var config = Parse(Minimal, env, flags);

        Assert.Equal(TimeSpan.FromSeconds(9), config.Akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal("ERROR", config.Akka.GetString("akka.loglevel"));
        Assert.Equal(2700, config.Port);
        // A path from a flag is relative to the current folder, not the file's.
        Assert.Equal(Path.GetFullPath("other.db"), config.StorePath);
    }

    [Fact]
    public void Parse_AkkaKeysForAddressAndSeeds_SetTheSweepsKeys()
    {
        var flags = new Dictionary<string, string>
        {
            ["akka.remote.dot-netty.tcp.hostname"] = "node3",
            ["akka.remote.dot-netty.tcp.port"] = "2605",
            ["akka.cluster.seed-nodes"] = "[\"akka.tcp://sweeps@node1:2551\", \"akka.tcp://sweeps@node3:2605\"]",
        };
        var config = Parse(Minimal, flags: flags);

        Assert.Equal(("node3", 2605), (config.Hostname, config.Port));
        Assert.Equal(["akka.tcp://sweeps@node1:2551", "akka.tcp://sweeps@node3:2605"], config.SeedNodes);
    }

    [Fact]
    public void Parse_BadPortFromTheFile_NamesFileKeyAndExpectation()
    {
        var ex = Fails(Minimal + "\nsweeps.port = 70000\n");
        Assert.Equal("cluster.hocon: sweeps.port: '70000' is not a port; expected an integer 0..65535", ex.Message);
    }

    [Fact]
    public void Parse_BadPortFromAVariable_NamesTheVariable()
    {
        var ex = Fails(Minimal, new Dictionary<string, string> { ["SWEEPS_PORT"] = "http" });
        Assert.Equal("environment variable SWEEPS_PORT: sweeps.port: 'http' is not a port; expected an integer 0..65535", ex.Message);
    }

    [Fact]
    public void Parse_BadSeedFromAFlag_NamesTheFlagAndTheForm()
    {
        var ex = Fails(Minimal, flags: new Dictionary<string, string> { ["seed-nodes"] = "gpu01" });
        Assert.StartsWith("flag --set seed-nodes: sweeps.seed-nodes: 'gpu01' is not a node address; expected host:port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeedOfAnotherActorSystem_Refused()
    {
        var ex = Fails(Minimal + "\nsweeps.seed-nodes = [\"akka.tcp://other@h:2551\"]\n");
        Assert.Contains("names the actor system 'other'; expected 'sweeps'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownSweepsKeyInAFlag_FailsListingTheKeys()
    {
        var ex = Fails(Minimal, flags: new Dictionary<string, string> { ["brokr"] = "x" });
        Assert.Equal("flag --set brokr", ex.Origin);
        Assert.Equal("sweeps.brokr", ex.Field);
        Assert.Contains("checkpoint-dir", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadDevice_FailsNamingTheDevice()
    {
        var ex = Fails(Minimal + "\nsweeps.nodes.gpu01.devices = [\"cuda:0\", gpu1]\n");
        Assert.Equal("cluster.hocon: sweeps.nodes.gpu01.devices: 'gpu1' is not a device; expected cpu or cuda:N (one slot each)", ex.Message);
    }

    [Fact]
    public void Parse_MissingCheckpointDirectory_FailsNamingKeyAndOverrides()
    {
        var ex = Fails("sweeps.store-path = x.db\n");
        Assert.Equal("sweeps.checkpoint-dir", ex.Field);
        Assert.Contains("SWEEPS_CHECKPOINT_DIR", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("--set checkpoint-dir=", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidHocon_FailsNamingTheFile()
    {
        var ex = Fails("sweeps { devices = [cpu, cuda:0] }\n");
        Assert.Equal("cluster.hocon", ex.Origin);
        Assert.StartsWith("not valid HOCON", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TlsCertificateMissing_NamesTheFile()
    {
        var ex = Fails(Minimal + "\nsweeps.tls.certificate = nope.pfx\n");
        Assert.Equal("sweeps.tls.certificate", ex.Field);
        Assert.Contains(Path.Combine(_dir, "nope.pfx") + " does not exist", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TlsPasswordFromVariableOrFile_NeverPrinted()
    {
        File.WriteAllText(Path.Combine(_dir, "c.pfx"), "x");
        File.WriteAllText(Path.Combine(_dir, "pw"), "s3cret-Pa55\n");
        var byEnv = Parse(
            Minimal + "\nsweeps.tls { certificate = c.pfx, password-env = CERT_PW }\n", new Dictionary<string, string> { ["CERT_PW"] = "s3cret-Pa55" });
        var byFile = Parse(Minimal + "\nsweeps.tls { certificate = c.pfx, password-file = pw }\n");

        Assert.Equal("s3cret-Pa55", byEnv.Tls!.Password.Reveal());
        Assert.Equal(["akka.ssl.tcp://sweeps@127.0.0.1:2551"], byEnv.SeedNodes);
        Assert.Equal("s3cret-Pa55", byFile.Tls!.Password.Reveal());
        Assert.DoesNotContain("s3cret", byEnv.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", byEnv.Tls.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoTlsPasswordSources_FailNamingBoth()
    {
        File.WriteAllText(Path.Combine(_dir, "c.pfx"), "x");
        var ex = Fails(Minimal + "\nsweeps.tls { certificate = c.pfx, password = abc, password-env = X }\n");
        Assert.Contains("conflicts with sweeps.tls.password", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseOverrides_FlagWithoutEquals_NeverEchoesAPassword()
    {
        var ex = Assert.Throws<ClusterConfigException>(() => ClusterConfigFile.ParseOverrides(["tls.password:s3cret"]));
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_FailsNamingTheFile()
    {
        var ex = Assert.Throws<ClusterConfigException>(() => ClusterConfigFile.Load(Path.Combine(_dir, "nope.hocon"), NoEnv));
        Assert.Contains("nope.hocon", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RepositoryClusterHocon_LoadsWithTheDocumentedSettings()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Sweeps.sln")))
        {
            dir = dir.Parent;
        }

        var config = ClusterConfigFile.Load(Path.Combine(dir.FullName, "cluster.hocon"), NoEnv);
        Assert.Equal(("127.0.0.1", 2551), (config.Hostname, config.Port));
        Assert.Equal("akka.tcp://sweeps@127.0.0.1:2551", config.SeedNodes[0]);
        Assert.Equal("keep-oldest", config.Akka.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("coordinator", config.Akka.GetString("akka.cluster.split-brain-resolver.keep-oldest.role"));
        Assert.Equal(Path.Combine(dir.FullName, "runs", "cluster", "store.db"), config.StorePath);
    }
}
