namespace Sweeps.Cli.Tests.Slurm;

/// <summary>
/// <c>sweeps slurm submit</c> as a process, with a stand-in <c>sbatch</c> on the PATH (the real one runs in
/// <see cref="SlurmSweepTests"/>): what it submits and prints, <c>--dry-run</c>, and its errors.
/// </summary>
public sealed class SlurmCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-slurmcmd-").FullName;

    public SlurmCommandTests()
    {
        File.WriteAllText(Config, """
            sweeps {
              port = 4100
              checkpoint-dir = "shared/ck"
              store-path = "shared/runs/store.db"
              metrics-address = "127.0.0.1:9600"
            }
            """);
        File.WriteAllText(SweepFile, """
            name: cmdtest
            dataset: synthetic
            models: [resnet20]
            methods: [fp]
            epochs: {teacher: 1, student: 1}
            devices: [cpu]
            """);
        Directory.CreateDirectory(Bin);
    }

    private string Config => Path.Combine(_dir, "cluster.hocon");

    private string SweepFile => Path.Combine(_dir, "cmdtest.yaml");

    private string Bin => Path.Combine(_dir, "bin");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Submit_WritesTheScriptSubmitsItAndSaysHowToFollowTheJob()
    {
        FakeSbatch("echo \"$@\" > " + Path.Combine(_dir, "sbatch-args") + "\necho '4242;cluster'");

        var (code, output) = await RunAsync("--nodes", "2", "--gpus-per-node", "4", "--partition", "gpu", "--time", "2:00:00");

        Assert.True(code == 0, output);
        var outputDir = Path.Combine(_dir, "shared", "runs", "slurm");
        var script = Path.Combine(outputDir, "sweeps-cmdtest.sbatch");
        Assert.Equal($"--parsable {script}", File.ReadAllText(Path.Combine(_dir, "sbatch-args")).Trim());
        var text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --nodes=2\n", text, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --gpus-per-node=4\n", text, StringComparison.Ordinal);
        Assert.Contains($"config='{Config}'\n", text, StringComparison.Ordinal);
        Assert.Contains($"sweep='{SweepFile}'\n", text, StringComparison.Ordinal);
        Assert.Contains("coordinator_port=4100\nworker_port=4101\nmetrics_port=9600\nworker_metrics_port=9601\n", text, StringComparison.Ordinal);
        Assert.Contains($"sweeps=('{Environment.ProcessPath}' '{SweepProcessTests.CliDll()}')\n", text, StringComparison.Ordinal);
        Assert.StartsWith("submitted job 4242 (sweeps-cmdtest): 2 node(s), 4 GPU(s) each", output, StringComparison.Ordinal);
        Assert.Contains($"tail -f {outputDir}/sweeps-4242.out", output, StringComparison.Ordinal);
        Assert.Contains($"sweeps status {Path.Combine(_dir, "shared", "runs")}", output, StringComparison.Ordinal);
        Assert.Contains($"{outputDir}/prometheus-targets.json", output, StringComparison.Ordinal);
        Assert.Contains("scancel 4242", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_DryRun_PrintsTheScriptAndSubmitsNothing()
    {
        FakeSbatch("touch " + Path.Combine(_dir, "sbatch-called"));

        var (code, output) = await RunAsync("--nodes", "1", "--gpus-per-node", "0", "--dry-run");

        Assert.True(code == 0, output);
        Assert.StartsWith("#!/bin/bash\n", output, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --exclusive\n", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "sbatch-called")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "shared", "runs", "slurm")));
    }

    [Fact]
    public async Task Submit_SbatchRefuses_ItsMessageAndExit1()
    {
        FakeSbatch("echo 'sbatch: error: invalid partition specified: gpux' >&2\nexit 1");

        var (code, output) = await RunAsync("--nodes", "1", "--gpus-per-node", "1", "--partition", "gpux");

        Assert.Equal(1, code);
        Assert.Contains("failed (exit 1): sbatch: error: invalid partition specified: gpux", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_NoSbatchOnThePath_SaysWhereToRunIt()
    {
        var (code, output) = await RunAsync("--nodes", "1", "--gpus-per-node", "1");

        Assert.Equal(1, code);
        Assert.Contains("sbatch was not found on PATH: run `sweeps slurm submit` on a Slurm login node", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_BadConfigurationValue_NamesTheFileAndTheKey()
    {
        File.AppendAllText(Config, "\nsweeps.port = http\n");

        var (code, output) = await RunAsync("--nodes", "1", "--gpus-per-node", "1", "--dry-run");

        Assert.Equal(1, code);
        Assert.Contains(Config, output, StringComparison.Ordinal);
        Assert.Contains("sweeps.port", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_PortZero_RejectedBecauseSeedsNeedFixedPorts()
    {
        File.AppendAllText(Config, "\nsweeps.port = 0\nsweeps.seed-nodes = [\"gpu01:2551\"]\n");

        var (code, output) = await RunAsync("--nodes", "1", "--gpus-per-node", "1", "--dry-run");

        Assert.Equal(1, code);
        Assert.Contains($"{Config}: sweeps.port 0: expected a fixed port", output, StringComparison.Ordinal);
    }

    private void FakeSbatch(string body)
    {
        var path = Path.Combine(Bin, "sbatch");
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Runs <c>sweeps slurm submit --config C --sweep S ARGS</c> with only the stand-in folder on the PATH (not
    /// the real sbatch).</summary>
    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var (code, output, error) = await ProcessRun.RunAsync(
            Environment.ProcessPath!,
            [SweepProcessTests.CliDll(), "slurm", "submit", "--config", Config, "--sweep", SweepFile, .. args],
            new Dictionary<string, string> { ["PATH"] = Bin },
            _dir);
        return (code, output + error);
    }
}
