using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

public sealed class ClusterConfigTests : IDisposable
{
    private const string Minimal = """
        broker:
          host: rabbit01
          password: s3cret-Pa55
        checkpointDirectory: ck
        storePath: db/sweeps.db
        """;

    private static readonly Dictionary<string, string> NoEnv = [];

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ClusterConfig Parse(string text, Dictionary<string, string>? env = null, Dictionary<string, string>? flags = null) =>
        ClusterConfigFile.Parse(text, "cluster.yaml", _dir, env ?? NoEnv, flags);

    private ClusterConfigException Fails(string text, Dictionary<string, string>? env = null, Dictionary<string, string>? flags = null) =>
        Assert.Throws<ClusterConfigException>(() => Parse(text, env, flags));

    [Fact]
    public void Parse_MinimalFile_AppliesDefaultsAndResolvesPathsAgainstFileFolder()
    {
        var config = Parse(Minimal);

        Assert.Equal("rabbit01", config.Broker.Host);
        Assert.Equal(5672, config.Broker.Port);
        Assert.Equal("sweeps", config.Broker.VirtualHost);
        Assert.Equal("sweeps", config.Broker.User);
        Assert.NotEqual("guest", config.Broker.User);
        Assert.Equal("s3cret-Pa55", config.Broker.Password.Reveal());
        Assert.False(config.Broker.Tls);
        Assert.Equal(Path.Combine(_dir, "ck"), config.CheckpointDirectory);
        Assert.Equal(Path.Combine(_dir, "db", "sweeps.db"), config.StorePath);
        Assert.Equal("127.0.0.1:9464", config.MetricsAddress);
        Assert.Equal(["cpu"], config.Devices);
        Assert.Empty(config.Nodes);
    }

    [Fact]
    public void Parse_TlsWithoutPort_DefaultsTo5671()
    {
        var broker = Parse(Minimal.Replace("host: rabbit01", "host: rabbit01\n  tls: on", StringComparison.Ordinal)).Broker;

        Assert.True(broker.Tls);
        Assert.Equal(5671, broker.Port);
        Assert.Equal("rabbitmqs://sweeps@rabbit01:5671/sweeps", broker.ToString());
    }

    [Fact]
    public void Parse_NodesAndDevices_MapsEachNodeToItsSlots()
    {
        var config = Parse(Minimal + """

            devices: [cpu, cpu]
            nodes:
              gpu01:
                devices: [cuda:0, cuda:1]
            """);

        Assert.Equal(["cuda:0", "cuda:1"], config.DevicesOf("GPU01"));
        Assert.Equal(["cpu", "cpu"], config.DevicesOf("other-host"));
    }

    [Fact]
    public void Parse_EnvironmentVariables_OverrideFileFieldsCaseInsensitively()
    {
        var env = new Dictionary<string, string>
        {
            ["SWEEPS__Broker__Host"] = "rabbit02",
            ["SWEEPS__BROKER__PORT"] = "5999",
            ["SWEEPS__broker__virtualhost"] = "vh",
            ["SWEEPS__StorePath"] = "/data/s.db",
            ["SWEEPS__Devices"] = "cpu,cpu,cpu",
            ["SWEEPS__Nodes__gpu02__Devices"] = "cuda:0",
            ["UNRELATED"] = "x",
        };

        var config = Parse(Minimal, env);

        Assert.Equal("rabbit02", config.Broker.Host);
        Assert.Equal(5999, config.Broker.Port);
        Assert.Equal("vh", config.Broker.VirtualHost);
        Assert.Equal("/data/s.db", config.StorePath);
        Assert.Equal(["cpu", "cpu", "cpu"], config.Devices);
        Assert.Equal(["cuda:0"], config.DevicesOf("gpu02"));
    }

    [Fact]
    public void Parse_Flags_OverrideEnvironmentAndFile()
    {
        var env = new Dictionary<string, string> { ["SWEEPS__Broker__Host"] = "from-env" };
        var flags = new Dictionary<string, string>(ClusterConfigFile.ParseOverrides(["broker.host=from-flag", "metricsAddress=off"]));

        var config = Parse(Minimal, env, flags);

        Assert.Equal("from-flag", config.Broker.Host);
        Assert.Equal("off", config.MetricsAddress);
    }

    [Fact]
    public void Parse_PasswordFile_ReadsFileWithoutTrailingNewline()
    {
        File.WriteAllText(Path.Combine(_dir, "pw"), "from-file\n");
        var config = Parse(Minimal.Replace("password: s3cret-Pa55", "passwordFile: pw", StringComparison.Ordinal));

        Assert.Equal("from-file", config.Broker.Password.Reveal());
    }

    [Fact]
    public void Parse_PasswordEnvInEnvironment_ReplacesFilePassword()
    {
        var env = new Dictionary<string, string> { ["SWEEPS__Broker__PasswordEnv"] = "MY_PW", ["MY_PW"] = "from-variable" };

        Assert.Equal("from-variable", Parse(Minimal, env).Broker.Password.Reveal());
    }

    [Fact]
    public void Parse_TwoPasswordSourcesInFile_FailsNamingBoth()
    {
        var ex = Fails(Minimal.Replace("password: s3cret-Pa55", "password: s3cret-Pa55\n  passwordEnv: X", StringComparison.Ordinal));

        Assert.Equal("broker.passwordEnv", ex.Field);
        Assert.Contains("broker.password", ex.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoPassword_FailsNamingTheThreeWays()
    {
        var ex = Fails(Minimal.Replace("  password: s3cret-Pa55\n", string.Empty, StringComparison.Ordinal));

        Assert.Equal("broker.password", ex.Field);
        Assert.Contains("passwordFile", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("passwordEnv", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingPasswordFile_FailsNamingFileAndField()
    {
        var ex = Fails(Minimal.Replace("password: s3cret-Pa55", "passwordFile: nope.txt", StringComparison.Ordinal));

        Assert.Equal("cluster.yaml:3", ex.Origin);
        Assert.Equal("broker.passwordFile", ex.Field);
        Assert.Contains(Path.Combine(_dir, "nope.txt"), ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PasswordEnvNotSet_FailsNamingTheVariable()
    {
        var ex = Fails(Minimal.Replace("password: s3cret-Pa55", "passwordEnv: NOT_THERE", StringComparison.Ordinal));

        Assert.Contains("NOT_THERE is not set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadPort_FailsWithFileLineFieldAndExpectation()
    {
        var ex = Fails(Minimal.Replace("host: rabbit01", "host: rabbit01\n  port: 70000", StringComparison.Ordinal));

        Assert.Equal("cluster.yaml:3: broker.port: '70000' is not a port; expected an integer 1..65535", ex.Message);
    }

    [Fact]
    public void Parse_BadPortFromEnvironment_NamesTheVariable()
    {
        var ex = Fails(Minimal, new() { ["SWEEPS__Broker__Port"] = "abc" });

        Assert.Equal("environment variable SWEEPS__Broker__Port: broker.port: 'abc' is not a port; expected an integer 1..65535", ex.Message);
    }

    [Fact]
    public void Parse_UnknownField_FailsListingKnownFields()
    {
        var ex = Fails(Minimal.Replace("host: rabbit01", "hots: rabbit01", StringComparison.Ordinal));

        Assert.Equal("cluster.yaml:2", ex.Origin);
        Assert.Equal("broker.hots", ex.Field);
        Assert.Contains("broker.host", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadDevice_FailsNamingTheDevice()
    {
        var ex = Fails(Minimal + "\ndevices: [cpu, gpu0]");

        Assert.Equal("devices", ex.Field);
        Assert.Contains("'gpu0' is not a device; expected cpu or cuda:N", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingCheckpointDirectory_FailsNamingFieldAndOverrides()
    {
        var ex = Fails(Minimal.Replace("checkpointDirectory: ck\n", string.Empty, StringComparison.Ordinal));

        Assert.Equal("checkpointDirectory", ex.Field);
        Assert.Contains("SWEEPS__checkpointDirectory", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_FailsWithSyntaxError()
    {
        var ex = Fails("broker: [unclosed");

        Assert.Equal("(syntax)", ex.Field);
        Assert.StartsWith("cluster.yaml:", ex.Origin, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadPasswordFlag_NeverEchoesTheValue()
    {
        var flagEx = Assert.Throws<ClusterConfigException>(() => ClusterConfigFile.ParseOverrides(["broker.password:hunter2"]));

        Assert.DoesNotContain("hunter2", flagEx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ConfigWithPassword_RedactsPassword()
    {
        var config = Parse(Minimal);

        Assert.DoesNotContain("s3cret-Pa55", config.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", config.Broker.ToString(), StringComparison.Ordinal);
        Assert.Equal("***", config.Broker.Password.ToString());
        Assert.Equal("rabbitmq://sweeps@rabbit01:5672/sweeps", config.Broker.ToString());
    }

    [Fact]
    public void Load_MissingFile_FailsNamingTheFile()
    {
        var ex = Assert.Throws<ClusterConfigException>(() => ClusterConfigFile.Load(Path.Combine(_dir, "none.yaml"), NoEnv));

        Assert.Contains("none.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not found", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RepositoryClusterYaml_LoadsWithPasswordFromEnvironment()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "cluster.yaml")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("cluster.yaml not found above the test binaries");
        }

        var config = ClusterConfigFile.Load(
            Path.Combine(root, "cluster.yaml"), new Dictionary<string, string> { ["SWEEPS__Broker__Password"] = "pw" });

        Assert.Equal("sweeps", config.Broker.User);
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3"], config.DevicesOf("gpu01"));
        Assert.Equal(Path.Combine(root, "runs", "cluster", "checkpoints"), config.CheckpointDirectory);
    }
}
