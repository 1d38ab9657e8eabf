using System.Diagnostics;
using Sweeps.Cli.Slurm;

namespace Sweeps.Cli.Tests.Slurm;

/// <summary>
/// The generated batch script: its #SBATCH directives, its validation, and its behaviour when bash runs it with
/// stand-ins for <c>scontrol</c>, <c>srun</c> and the Sweeps CLI (two nodes): who starts where with which settings,
/// what ends the job, and what SIGTERM does. The real Slurm runs it in <see cref="SlurmSweepTests"/>.
/// </summary>
public sealed class SbatchScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-sbatch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Render_GpuJob_AsksForNodesGpusAndOptionsAndKeepsTheSweepResumable()
    {
        var script = SbatchScript.Render(Job() with { Partition = "gpu", Time = "1-12:00:00", Account = "proj-42" });
        var directives = Directives(script);

        Assert.Equal(
            [
                "--job-name=sweeps-quick", "--nodes=2", "--ntasks-per-node=1", "--gpus-per-node=4", "--partition=gpu",
                "--time=1-12:00:00", "--account=proj-42", $"--output={_dir}/out/sweeps-%j.out", "--open-mode=append", "--requeue",
                "--dependency=singleton", "--signal=B:TERM@180",
            ],
            directives);
        Assert.Contains("srun --ntasks-per-node=1 --kill-on-bad-exit=0 --gpus-per-node=4 bash -c", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_CpuJob_TakesWholeNodesAndNoGpuOption()
    {
        var script = SbatchScript.Render(Job() with { GpusPerNode = 0 });
        var directives = Directives(script);

        Assert.Contains("--exclusive", directives);
        Assert.DoesNotContain(directives, d => d.StartsWith("--gpus", StringComparison.Ordinal) || d.StartsWith("--partition", StringComparison.Ordinal)
            || d.StartsWith("--time", StringComparison.Ordinal) || d.StartsWith("--account", StringComparison.Ordinal));
        Assert.DoesNotContain("--gpus-per-node", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 180)]
    [InlineData("1-12:00:00", 180)]
    [InlineData("12:00:00", 180)]
    [InlineData("20", 180)]
    [InlineData("4", 60)]
    [InlineData("1", 15)]
    [InlineData("0:30", 10)]
    [InlineData("0-1", 180)]
    public void Render_TimeLimit_StopSignalAQuarterOfAShortLimitAtMostThreeMinutesBefore(string? time, int seconds)
    {
        var script = SbatchScript.Render(Job() with { Time = time });

        Assert.Contains($"--signal=B:TERM@{seconds}", Directives(script));
    }

    [Theory]
    [InlineData("90", 5400)]
    [InlineData("90:30", 5430)]
    [InlineData("1:02:03", 3723)]
    [InlineData("2-3", 183600)]
    [InlineData("2-3:04", 183840)]
    [InlineData("2-3:04:05", 183845)]
    [InlineData("UNLIMITED", null)]
    [InlineData("1:2:3:4", null)]
    public void TimeLimitSeconds_SlurmFormats(string time, int? seconds) => Assert.Equal(seconds, SlurmJob.TimeLimitSeconds(time));

    [Fact]
    public async Task Render_Script_IsValidBash()
    {
        var path = Path.Combine(_dir, "job.sbatch");
        File.WriteAllText(path, SbatchScript.Render(Job() with { ConfigFile = "/shared/it's here/cluster.hocon" }));

        var (code, output) = await RunAsync("bash", ["-n", path], new Dictionary<string, string>());

        Assert.True(code == 0, output);
    }

    [Theory]
    [InlineData("--nodes", 0, 4, null, null, "expected a whole number >= 1")]
    [InlineData("--gpus-per-node", 1, -1, null, null, "expected a whole number >= 0")]
    [InlineData("--time '2 hours'", 1, 0, "2 hours", null, "expected a Slurm time limit")]
    [InlineData("--partition 'gpu a100'", 1, 0, null, "gpu a100", "expected letters, digits")]
    public void Render_BadValue_NamesTheOptionAndWhatWasExpected(string option, int nodes, int gpus, string? time, string? partition, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => SbatchScript.Render(Job() with { Nodes = nodes, GpusPerNode = gpus, Time = time, Partition = partition }));

        Assert.StartsWith(option, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OutputFolderWithABlank_Rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => SbatchScript.Render(Job() with { OutputDirectory = "/shared/my runs" }));

        Assert.Contains("--output '/shared/my runs'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_TwoNodes_CoordinatorOnTheFirstWorkerOnEachAllSeedsAndEndsWithTheCoordinator()
    {
        var job = Job() with { ConfigFile = Path.Combine(_dir, "it's a dir", "cluster.hocon") };
        var (code, output) = await RunScriptAsync(job, coordinatorExit: 0);

        Assert.True(code == 0, output);
        var calls = Calls();
        const string seeds = "seed-nodes=n1:4053,n1:4054,n2:4054";
        var coordinator = Assert.Single(calls, c => c[1] == "coordinator");
        Assert.Equal(
            [
                "n1", "coordinator", "--config", job.ConfigFile, "--sweep", job.SweepFile,
                "--set", "hostname=n1", "--set", "port=4053", "--set", seeds, "--set", "metrics-address=10.0.0.1:9464",
            ],
            coordinator);
        var workers = calls.Where(c => c[1] == "worker").OrderBy(c => c[0], StringComparer.Ordinal).ToList();
        Assert.Equal(2, workers.Count);
        foreach (var (worker, n) in workers.Zip(new[] { 1, 2 }))
        {
            Assert.Equal(
                [
                    $"n{n}", "worker", "--config", job.ConfigFile, "--devices", "slurm", "--set", "port=4054", "--set", seeds,
                    "--set", $"hostname=n{n}", "--metrics", $"10.0.0.{n}:9465",
                ],
                worker);
        }

        var events = File.ReadAllText(Path.Combine(_dir, "events"));
        Assert.Contains("worker n1 stopped by TERM", events, StringComparison.Ordinal);
        Assert.Contains("worker n2 stopped by TERM", events, StringComparison.Ordinal);
        Assert.DoesNotContain("coordinator cancelled", events, StringComparison.Ordinal);
        Assert.Contains("coordinator on n1; seeds n1:4053,n1:4054,n2:4054", output, StringComparison.Ordinal);
        Assert.Contains("n1:9464 (coordinator), n1:9465 n2:9465 (workers)", output, StringComparison.Ordinal);

        using var targets = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(job.OutputDirectory, SbatchScript.TargetsFile)));
        var groups = targets.RootElement.EnumerateArray()
            .ToDictionary(g => g.GetProperty("labels").GetProperty("job").GetString()!, g => g.GetProperty("targets").EnumerateArray().Select(t => t.GetString()).ToList());
        Assert.Equal(["n1:9464"], groups["sweeps-coordinator"]);
        Assert.Equal(["n1:9465", "n2:9465"], groups["sweeps-worker"]);
        Assert.All(targets.RootElement.EnumerateArray(), g => Assert.Equal("42", g.GetProperty("labels").GetProperty("slurm_job").GetString()));
    }

    [Fact]
    public async Task Script_MetricsOff_NoEndpointsAndNoTargetsFile()
    {
        var job = Job() with { MetricsPort = null };
        var (code, output) = await RunScriptAsync(job, coordinatorExit: 0);

        Assert.True(code == 0, output);
        Assert.Contains("metrics-address=off", Assert.Single(Calls(), c => c[1] == "coordinator"));
        Assert.All(Calls().Where(c => c[1] == "worker"), w => Assert.Equal(["--metrics", "off"], w[^2..]));
        Assert.False(File.Exists(Path.Combine(job.OutputDirectory, SbatchScript.TargetsFile)));
    }

    [Fact]
    public async Task Script_CoordinatorFails_JobEndsWithItsCodeAndWorkersStopped()
    {
        var (code, output) = await RunScriptAsync(Job(), coordinatorExit: 3);

        Assert.True(code == 3, output);
        Assert.Contains("worker n2 stopped by TERM", File.ReadAllText(Path.Combine(_dir, "events")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_Sigterm_CancelsTheSweepThroughTheCoordinatorWaitsForItThenStopsWorkers()
    {
        var (code, output) = await RunScriptAsync(Job(), coordinatorExit: null, terms: 2);

        // The fake coordinator ends with 130 at SIGTERM, as `sweeps coordinator` does (it cancels the sweep first).
        Assert.True(code == 130, output);
        var events = File.ReadAllLines(Path.Combine(_dir, "events"));
        var coordinatorEnd = Array.FindIndex(events, e => e == "coordinator cancelled by TERM");
        var workerEnd = Array.FindIndex(events, e => e.StartsWith("worker n1 stopped", StringComparison.Ordinal));
        Assert.True(coordinatorEnd >= 0 && workerEnd > coordinatorEnd, string.Join('\n', events));
        Assert.Contains("SIGTERM (scancel, time limit, preemption or requeue): cancelling the sweep", output, StringComparison.Ordinal);
        Assert.Contains("coordinator exited with 130; stopping the workers", output, StringComparison.Ordinal);
    }

    private SlurmJob Job() => new()
    {
        SweepName = "quick",
        Nodes = 2,
        GpusPerNode = 4,
        OutputDirectory = Path.Combine(_dir, "out"),
        Command = [Path.Combine(_dir, "bin", "fake-sweeps")],
        ConfigFile = Path.Combine(_dir, "cluster.hocon"),
        SweepFile = Path.Combine(_dir, "quick.yaml"),
        StoreDirectory = Path.Combine(_dir, "runs", "quick"),
        CoordinatorPort = 4053,
        MetricsPort = 9464,
    };

    private static List<string> Directives(string script) =>
        script.Split('\n').Where(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal)).Select(l => l["#SBATCH ".Length..]).ToList();

    /// <summary>Every call of the fake CLI: its node, then its arguments.</summary>
    private List<string[]> Calls() =>
        File.ReadAllText(Path.Combine(_dir, "calls")).Split("\u001e\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split('\u001f')).Select(a => a[..^1]).ToList();

    /// <summary>Runs the script with bash and stand-ins: scontrol names nodes n1 and n2, srun runs its command once
    /// per node, getent resolves nN to 10.0.0.N, the fake CLI records its calls; the fake coordinator ends with
    /// <paramref name="coordinatorExit"/> once the workers are up, or (null) runs until SIGTERM and then ends with 130.
    /// <paramref name="terms"/> SIGTERMs (0.3 s apart) are sent to bash once both workers run and the fake coordinator
    /// has set its trap.</summary>
    private async Task<(int Code, string Output)> RunScriptAsync(SlurmJob job, int? coordinatorExit, int terms = 0)
    {
        var bin = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(job.OutputDirectory);
        Fake(bin, "scontrol", """
            [[ "$1 $2 $3" == "show hostnames n[1-2]" ]] || { echo "unexpected: $*" >&2; exit 1; }
            echo n1; echo n2
            """);
        Fake(bin, "getent", """
            [[ $1 == ahostsv4 && $2 =~ ^n([0-9])$ ]] && echo "10.0.0.${BASH_REMATCH[1]}  STREAM $2"
            """);
        Fake(bin, "srun", """
            while [[ $1 == --* ]]; do shift; done
            pids=()
            for node in n1 n2; do SLURMD_NODENAME=$node "$@" & pids+=($!); done
            trap 'kill -TERM "${pids[@]}" 2>/dev/null' TERM
            wait; wait
            """);
        Fake(bin, "fake-sweeps", $$"""
            call=$(printf '%s\x1f' "${SLURMD_NODENAME:-n1}" "$@")
            printf '%s\x1e\n' "$call" >> {{_dir}}/calls
            case $1 in
              coordinator)
                trap 'echo "coordinator cancelled by TERM" >> {{_dir}}/events; exit 130' TERM
                echo "coordinator ready" >> {{_dir}}/events
                for _ in $(seq 600); do
                  [[ -n "{{coordinatorExit}}" && $(grep -c worker {{_dir}}/calls) == 2 ]] && { sleep 0.3; exit {{coordinatorExit ?? 0}}; }
                  sleep 0.1
                done
                exit 99 ;;
              worker)
                sleep 60 &
                trap 'kill $!; echo "worker $SLURMD_NODENAME stopped by TERM" >> {{_dir}}/events; exit 143' TERM
                wait ;;
            esac
            """);
        var path = Path.Combine(_dir, "job.sbatch");
        File.WriteAllText(path, SbatchScript.Render(job));
        var env = new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["SLURM_JOB_NODELIST"] = "n[1-2]",
            ["SLURM_JOB_ID"] = "42",
        };
        return await RunAsync("bash", [path], env, async process =>
        {
            var clock = Stopwatch.StartNew();
            bool Up() => File.Exists(Path.Combine(_dir, "calls")) && File.ReadAllText(Path.Combine(_dir, "calls")).Split("worker").Length == 3
                && File.Exists(Path.Combine(_dir, "events")) && File.ReadAllText(Path.Combine(_dir, "events")).Contains("coordinator ready", StringComparison.Ordinal);
            while (!Up() && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            for (var i = 0; i < terms; i++)
            {
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill!.WaitForExitAsync();
                await Task.Delay(300);
            }
        });
    }

    private static void Fake(string bin, string name, string body)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static async Task<(int Code, string Output)> RunAsync(string command, string[] args, Dictionary<string, string> env, Func<Process, Task>? during = null)
    {
        var (code, output, error) = await ProcessRun.RunAsync(command, args, env, during: during, timeout: TimeSpan.FromMinutes(1));
        return (code, output + error);
    }
}
