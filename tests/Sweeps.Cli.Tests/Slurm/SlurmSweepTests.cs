using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Cluster;
using Xunit.Abstractions;

namespace Sweeps.Cli.Tests.Slurm;

/// <summary>
/// Cluster sweeps launched with <c>sweeps slurm submit</c> on the real test Slurm (one node, its CPUs are the slots):
/// the job runs the coordinator and a worker (srun) with the repository's cluster.hocon, completes every trial once;
/// after a <c>scancel</c> mid-sweep a second submission resumes the interrupted trial from its checkpoint; a requeued
/// job (what a preemption does) runs again and resumes the sweep by itself. Each test prints the job's timeline
/// (submit, nodes up, first trial, cancel, resubmit, completion).
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmSweepTests(SlurmFixture slurm, ITestOutputHelper log) : IDisposable
{
    private const string Teacher = "resnet20-synthetic-fp-s0";

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-slurmsweep-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>The shared folder: configuration, sweep files, store, checkpoints, job logs.</summary>
    private string Shared => Path.Combine(_dir, "shared");

    private string Store => Path.Combine(Shared, "runs");

    private string JobLogs => Path.Combine(Store, "slurm");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Submit_SleepingTrialsAndATrainingTrial_JobCompletesEveryTrialOnce()
    {
        var config = Config();
        var sweep = Sweep("slurmsweep", teacherEpochs: 1, sleeping: 6, sleepMs: 1000);

        var job = await SubmitAsync(config, sweep);
        var end = await slurm.Cluster.WaitForStateAsync(job, TimeSpan.FromMinutes(6), "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT");
        Mark($"job {job} {end["JobState"]}");

        Assert.True(end["JobState"] == "COMPLETED", $"job {end["JobState"]}, exit {end.GetValueOrDefault("ExitCode")}\n{JobLog(job)}");
        AssertEachTrialCompletedOnce("slurmsweep", 7);
        var jobLog = JobLog(job);
        Assert.Contains($"coordinator on {slurm.Cluster.Node}; seeds {slurm.Cluster.Node}:", jobLog, StringComparison.Ordinal);
        var cpus = Environment.ProcessorCount;
        Assert.Contains($"{cpus} slots ({string.Join(", ", Enumerable.Repeat("cpu", cpus))})", jobLog, StringComparison.Ordinal);
        Assert.Contains($"job {job} ends with 0", jobLog, StringComparison.Ordinal);
        Assert.All(Events().OfType<TrialStarted>(), e => Assert.StartsWith(slurm.Cluster.Node + "/", e.Node, StringComparison.Ordinal));
        Timeline(job);
    }

    [Fact]
    public async Task Scancel_MidSweep_SubmitAgain_ResumesTheInterruptedTrialAndCompletesEveryTrialOnce()
    {
        var config = Config();
        var sweep = Sweep("slurmresume", teacherEpochs: 4, sleeping: 6, sleepMs: 2000);

        var first = await SubmitAsync(config, sweep);
        await WaitUntil(() => Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), TimeSpan.FromMinutes(4), "the teacher's first epoch", first);
        Mark($"the teacher's first epoch recorded; scancel {first}");
        await slurm.Cluster.RunAsync("scancel", first);
        var cancelled = await slurm.Cluster.WaitForStateAsync(first, TimeSpan.FromMinutes(3), "CANCELLED", "COMPLETED", "FAILED");
        Mark($"job {first} {cancelled["JobState"]}");

        Assert.Equal("CANCELLED", cancelled["JobState"]);
        Assert.Contains("cancelling the sweep", JobLog(first), StringComparison.Ordinal);
        var (info, state, _) = EmbeddedSweepHost.Read(Store);
        Assert.True(info?.Status == "cancelled", $"sweep status {info?.Status}\n{JobLog(first)}");
        Assert.DoesNotContain(state.Trials.Values, t => t.Status == TrialStatus.Running);
        var interrupted = state.Trials[Teacher];
        Assert.NotEqual(TrialStatus.Completed, interrupted.Status);
        Assert.True(interrupted.EpochsCompleted >= 1, $"teacher epochs {interrupted.EpochsCompleted}");
        Assert.True(state.Trials.Values.Count(t => t.Status == TrialStatus.Completed) < state.Trials.Count, "the sweep finished before scancel: nothing was resumed");

        var second = await SubmitAsync(config, sweep);
        var end = await slurm.Cluster.WaitForStateAsync(second, TimeSpan.FromMinutes(6), "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT");
        Mark($"job {second} {end["JobState"]}");

        Assert.True(end["JobState"] == "COMPLETED", $"job {end["JobState"]}, exit {end.GetValueOrDefault("ExitCode")}\n{JobLog(second)}");
        // Each trial once, each of the resumed teacher's epochs trained once (its metrics.jsonl: 1, 2, 3, 4).
        AssertEachTrialCompletedOnce("slurmresume", 7);
        var completed = Events().OfType<TrialCompleted>().Single(e => e.TrialId == Teacher);
        Assert.True(completed.Attempt >= 2, $"the teacher completed in attempt {completed.Attempt}, the first job's");
        Assert.True(completed.ResumedAfterEpoch >= 1, "the interrupted teacher restarted from epoch 0 instead of its checkpoint");
        Timeline(first, second);
    }

    [Fact]
    public async Task Requeue_MidSweep_TheJobRunsAgainAndResumesTheSweepToCompletion()
    {
        var config = Config();
        var sweep = Sweep("slurmrequeue", teacherEpochs: 4, sleeping: 6, sleepMs: 2000);

        var job = await SubmitAsync(config, sweep);
        await WaitUntil(() => Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), TimeSpan.FromMinutes(4), "the teacher's first epoch", job);
        Mark($"the teacher's first epoch recorded; scontrol requeue {job} (as a preemption does)");
        await slurm.Cluster.RunAsync("scontrol", "requeue", job);
        var end = await slurm.Cluster.WaitForStateAsync(job, TimeSpan.FromMinutes(7), "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT");
        Mark($"job {job} {end["JobState"]} after {end["Restarts"]} restart(s)");

        Assert.True(end["JobState"] == "COMPLETED", $"job {end["JobState"]}, exit {end.GetValueOrDefault("ExitCode")}\n{JobLog(job)}");
        Assert.Equal("1", end["Restarts"]);
        var jobLog = JobLog(job);
        Assert.Contains($"job {job} (restart 0)", jobLog, StringComparison.Ordinal);
        Assert.Contains($"job {job} (restart 1)", jobLog, StringComparison.Ordinal);
        // Each trial once, each of the resumed teacher's epochs trained once (its metrics.jsonl: 1, 2, 3, 4).
        AssertEachTrialCompletedOnce("slurmrequeue", 7);
        var completed = Events().OfType<TrialCompleted>().Single(e => e.TrialId == Teacher);
        Assert.True(completed.Attempt >= 2 && completed.ResumedAfterEpoch >= 1, $"the teacher completed in attempt {completed.Attempt}, resumed after {completed.ResumedAfterEpoch}");
        Timeline(job);
    }

    /// <summary>The repository's cluster.hocon with this test's shared folder and free ports appended (later keys win).</summary>
    private string Config()
    {
        Directory.CreateDirectory(Shared);
        var path = Path.Combine(Shared, "cluster.hocon");
        var (port, metrics) = (FreePortPair(), FreePortPair());
        File.WriteAllText(path, File.ReadAllText(Path.Combine(SweepTestFiles.RepoRoot, "cluster.hocon")) + string.Create(CultureInfo.InvariantCulture, $"""

            # The Slurm test's shared folder and ports (free pairs: the coordinator's, each worker's the next).
            sweeps.port = {port}
            sweeps.checkpoint-dir = "ck"
            sweeps.store-path = "runs/store.db"
            sweeps.metrics-address = "127.0.0.1:{metrics}"
            """));
        return path;
    }

    private string Sweep(string name, int teacherEpochs, int sleeping, int sleepMs) =>
        SweepTestFiles.WriteSweep(Shared, name, teacherEpochs, sleeping, sleepMs, limit: 256);

    /// <summary>Runs <c>sweeps slurm submit</c> (the CLI as a process, as a user would) and returns the job id.</summary>
    private async Task<string> SubmitAsync(string config, string sweep)
    {
        var environment = new Dictionary<string, string>(slurm.Cluster.Environment) { ["DOTNET_GCgen0size"] = "0x400000" };
        var (code, output, error) = await ProcessRun.RunAsync(
            "dotnet",
            [SweepProcessTests.CliDll(), "slurm", "submit", "--config", config, "--sweep", sweep, "--nodes", "1", "--gpus-per-node", "0", "--time", "15"],
            environment,
            Shared);
        Assert.True(code == 0, $"sweeps slurm submit exited {code}:\n{output}{error}");
        var id = System.Text.RegularExpressions.Regex.Match(output, @"^submitted job (\d+) ").Groups[1].Value;
        Assert.True(id.Length > 0, output);
        Assert.Contains($"scancel {id}", output, StringComparison.Ordinal);
        Mark($"submitted job {id}: sweeps slurm submit --config {Path.GetFileName(config)} --sweep {Path.GetFileName(sweep)} --nodes 1 --gpus-per-node 0 --time 15");
        return id;
    }

    private void AssertEachTrialCompletedOnce(string sweep, int count) =>
        SweepTestFiles.AssertEachTrialCompletedOnce(Store, Path.Combine(Shared, "ck", sweep, "trials"), count);

    private List<TrialEvent> Events() => SweepTestFiles.LoadEvents(Store);

    private string JobLog(string job)
    {
        var path = Path.Combine(JobLogs, $"sweeps-{job}.out");
        return File.Exists(path) ? File.ReadAllText(path) : $"(no job log {path})\n{slurm.Cluster.Logs()}";
    }

    private async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what, string job)
    {
        while (!condition())
        {
            var state = (await slurm.Cluster.JobAsync(job)).GetValueOrDefault("JobState");
            if (_clock.Elapsed > timeout || state is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT")
            {
                Assert.Fail($"waiting for {what}: {(state is "PENDING" or "RUNNING" ? "timed out" : "the job ended: " + state)}\n{JobLog(job)}\n{slurm.Cluster.Logs()}");
            }

            await Task.Delay(250);
        }
    }

    private void Mark(string what) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F1} s  {what}");

    /// <summary>The jobs' timeline from their logs and the store: nodes up, the first trial started, the end.</summary>
    private void Timeline(params string[] jobs)
    {
        foreach (var job in jobs)
        {
            foreach (var line in JobLog(job).Split('\n').Where(l => l.StartsWith("sweeps-slurm ", StringComparison.Ordinal)))
            {
                log.WriteLine($"job {job}: {line}");
            }
        }

        var events = Events();
        var firstStart = events.OfType<TrialStarted>().MinBy(e => e.At);
        log.WriteLine($"first trial started {firstStart?.At:O} ({firstStart?.TrialId}); last trial completed {events.OfType<TrialCompleted>().MaxBy(e => e.At)?.At:O}");
    }

    /// <summary>A port p such that p and p + 1 are free on 127.0.0.1 (the coordinator's and the worker's).</summary>
    private static int FreePortPair()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port >= 65535)
            {
                continue;
            }

            try
            {
                using var second = new TcpListener(IPAddress.Loopback, port + 1);
                second.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no two consecutive free ports on 127.0.0.1");
    }
}
