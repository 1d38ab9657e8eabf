namespace Sweeps.Cli.Tests;

/// <summary>
/// ops/systemd's unit files, checked by systemd itself: <c>systemd-analyze verify</c> (systemd 252 runs it without
/// being PID 1) parses each unit as the service manager would and prints every unknown key, bad value or missing
/// executable; a unit passes only when it prints nothing and exits 0. Also what the issue asks of them: restarted on
/// failure, a non-root user, the environment they need, and arguments the CLI accepts.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private const string Analyze = "/usr/bin/systemd-analyze";

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-systemd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Units => new() { "sweeps-coordinator.service", "sweeps-worker.service" };

    [Theory]
    [MemberData(nameof(Units))]
    public async Task Verify_Unit_SystemdFindsNothingToReport(string unit)
    {
        var (code, output) = await VerifyAsync(File.ReadAllText(UnitPath(unit)), unit);

        Assert.True(code == 0 && output.Length == 0, $"systemd-analyze verify {unit} (exit {code}):\n{output}");
    }

    [Fact]
    public async Task Verify_UnitWithATypoAndABadValue_Reported()
    {
        // The check above can fail: a misspelt key and an invalid value are reported (systemd ignores them, exit 0).
        var text = File.ReadAllText(UnitPath("sweeps-worker.service"))
            .Replace("RestartSec=", "RestartSecs=", StringComparison.Ordinal)
            .Replace("Restart=on-failure", "Restart=on-failur", StringComparison.Ordinal);

        var (_, output) = await VerifyAsync(text, "sweeps-worker.service");

        Assert.Contains("Unknown key 'RestartSecs'", output, StringComparison.Ordinal);
        Assert.Contains("on-failur", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Unit_RestartsOnFailureAsANonRootUserWithItsEnvironment(string unit)
    {
        var service = Section(File.ReadAllText(UnitPath(unit)), "Service");

        Assert.Equal(["on-failure"], service["Restart"]);
        var user = Assert.Single(service["User"]);
        Assert.NotEqual("root", user);
        Assert.Contains("SWEEPS_CONFIG=/etc/sweeps/cluster.hocon", service["Environment"]);
        Assert.Contains("DOTNET_GCgen0size=0x400000", service["Environment"]);
        Assert.Single(service["EnvironmentFile"]);
        var role = unit.Contains("coordinator", StringComparison.Ordinal) ? "coordinator" : "worker";
        Assert.StartsWith($"/usr/bin/dotnet /opt/sweeps/Sweeps.Cli.dll {role} --config ${{SWEEPS_CONFIG}}", Assert.Single(service["ExecStart"]), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Unit_ExecStart_TheCliAcceptsItsArguments(string unit)
    {
        var service = Section(File.ReadAllText(UnitPath(unit)), "Service");
        var words = Assert.Single(service["ExecStart"]).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(2) // dotnet Sweeps.Cli.dll
            .Where(w => !w.StartsWith('$') || w.StartsWith("${", StringComparison.Ordinal)) // $SWEEPS_*_ARGS: empty by default
            .Select(w => w.Replace("${SWEEPS_CONFIG}", "/etc/sweeps/cluster.hocon", StringComparison.Ordinal)
                .Replace("${SWEEPS_SWEEP}", "/shared/sweeps/quick.yaml", StringComparison.Ordinal))
            .ToArray();

        var result = SweepsCommand.Create().Parse(words);

        Assert.Empty(result.Errors);
        Assert.Equal(unit.Contains("coordinator", StringComparison.Ordinal) ? "coordinator" : "worker", result.CommandResult.Command.Name);
    }

    private static string UnitPath(string unit) => Path.Combine(SweepTestFiles.RepoRoot, "ops", "systemd", unit);

    /// <summary>systemd-analyze verify on a copy of the unit; the copy names this machine's dotnet when it is not
    /// /usr/bin/dotnet (verify checks that the executable exists).</summary>
    private async Task<(int Code, string Output)> VerifyAsync(string text, string name)
    {
        Assert.True(File.Exists(Analyze), $"{Analyze} is missing: ./sweeps.sh setup installs systemd (APT_PACKAGES)");
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "/usr/bin/dotnet";
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.Replace("/usr/bin/dotnet ", dotnet + " ", StringComparison.Ordinal));
        var (code, output, error) = await ProcessRun.RunAsync(Analyze, ["verify", "--man=no", path]);
        return (code, (output + error).Trim());
    }

    /// <summary>A unit file's section as systemd reads it: KEY=VALUE lines, comments and blank lines skipped, a key given
    /// several times keeps every value.</summary>
    private static Dictionary<string, List<string>> Section(string text, string name)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? section = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line.Trim('[', ']');
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section == name && equals > 0)
            {
                var key = line[..equals].Trim();
                if (!values.TryGetValue(key, out var list))
                {
                    values[key] = list = [];
                }

                list.Add(line[(equals + 1)..].Trim());
            }
        }

        return values;
    }
}
