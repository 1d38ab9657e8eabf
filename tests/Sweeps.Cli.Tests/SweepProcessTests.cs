using System.Diagnostics;
using System.Text.Json;
using Sweeps.Actors.Messages;
using Sweeps.Cluster;

namespace Sweeps.Cli.Tests;

/// <summary>The real `sweeps run` process: killed with SIGKILL mid-sweep, or interrupted twice, then run again.</summary>
public sealed class SweepProcessTests : IDisposable
{
    private const string Teacher = "resnet20-synthetic-fp-s0";

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_KilledMidSweepThenRunAgain_EveryTrialOnceAndTheTeacherResumedFromItsCheckpoint()
    {
        // Two slots: the teacher (real training, 3 epochs of 1,024 samples) and six sleeping trials side by side. Its
        // epochs 2 and 3 take about 4 s after the first is recorded (1 s with 128 samples: a test thread that stalls
        // that long on a loaded machine killed it after it had completed).
        var sweep = Path.Combine(_dir, "kill.yaml");
        File.WriteAllText(sweep, """
            name: kill
            dataset: synthetic
            models: [resnet20]
            methods: [fp]
            epochs: {teacher: 3, student: 1}
            limit: 1024
            test_limit: 64
            devices: [cpu]
            trials_per_device: 2
            _sleep_trials: {count: 6, ms: 300}
            """);
        var output = Path.Combine(_dir, "out");

        using (var first = Start(sweep, output))
        {
            var killed = false;
            var deadline = Stopwatch.StartNew();
            while (!killed && deadline.Elapsed < TimeSpan.FromMinutes(4) && !first.HasExited)
            {
                await Task.Delay(100);
                if (TeacherEpochsRecorded(output) >= 1)
                {
                    first.Kill(entireProcessTree: true);
                    killed = true;
                }
            }

            Assert.True(killed, "the teacher never reported an epoch before the process ended: " + await first.StandardError.ReadToEndAsync());
            await first.WaitForExitAsync();
        }

        var (_, interrupted, _) = EmbeddedSweepHost.Read(output);
        Assert.Equal(Sweeps.Actors.State.TrialStatus.Running, interrupted.Trials[Teacher].Status);

        var stdout = await RunAgainAsync(sweep, output, TimeSpan.FromMinutes(5));
        Assert.Contains($"results: {Path.Combine(output, "results.json")}", stdout, StringComparison.Ordinal);
        Assert.Contains($"report:  {Path.Combine(output, "report.md")}", stdout, StringComparison.Ordinal);

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal("completed", results.RootElement.GetProperty("sweep").GetProperty("status").GetString());
        var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(7, trials.Count);
        Assert.Equal(7, trials.Select(t => t.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(trials, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        var teacher = Assert.Single(trials, t => t.GetProperty("id").GetString() == Teacher);
        Assert.Equal((2, 3), (teacher.GetProperty("attempts").GetInt32(), teacher.GetProperty("epochs").GetInt32()));

        using (var store = SqliteSweepStore.InDirectory(output))
        {
            var completed = store.LoadEvents().OfType<TrialCompleted>().GroupBy(e => e.TrialId).ToList();
            Assert.Equal(7, completed.Count);
            Assert.All(completed, g => Assert.Single(g));
            Assert.True(Assert.Single(completed, g => g.Key == Teacher).Single().ResumedAfterEpoch >= 1, "the teacher restarted from epoch 0");
        }

        using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "trials", Teacher, "final.json")));
        Assert.True(final.RootElement.GetProperty("resumed_after_epoch").GetInt32() >= 1);
        var epochs = File.ReadAllLines(Path.Combine(output, "trials", Teacher, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal([1, 2, 3], epochs);
    }

    [Fact]
    public async Task Run_InterruptedTwice_EndsAtOnceWith130AndTheSweepResumes()
    {
        // Two sleeping trials that each take 10 minutes to stop once cancelled, as a long training step would: the first
        // interrupt waits for them; the second must end the process at once, and nothing recorded is lost. The test sends
        // SIGTERM, which `sweeps run` handles as it handles Ctrl-C's SIGINT: a process started in the background by a
        // non-interactive shell (a CI runner, a nohup'ed test run) inherits SIGINT ignored, and .NET keeps it ignored.
        var sweep = Path.Combine(_dir, "interrupt.yaml");
        File.WriteAllText(sweep, """
            name: interrupt
            dataset: synthetic
            devices: [cpu]
            trials_per_device: 2
            _sleep_trials: {count: 2, ms: 15000, stop_ms: 600000}
            """);
        var output = Path.Combine(_dir, "out");

        using (var first = Start(sweep, output))
        {
            var stderr = first.StandardError.ReadToEndAsync();
            var stdout = first.StandardOutput.ReadToEndAsync();
            try
            {
                var deadline = Stopwatch.StartNew();
                while (RunningTrials(output) < 2 && !first.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(2))
                {
                    await Task.Delay(100);
                }

                Assert.True(RunningTrials(output) == 2, "the two trials never ran: " + (first.HasExited ? await stderr : "timed out"));
                ClusterTestbed.Signal(first, "TERM");
                Assert.False(first.WaitForExit(TimeSpan.FromSeconds(3)), "the first interrupt did not wait for the stopping trials");
                ClusterTestbed.Signal(first, "TERM");
                Assert.True(await Task.Run(() => first.WaitForExit(TimeSpan.FromSeconds(30))), "the second interrupt did not end the process within 30 s");
            }
            finally
            {
                if (!first.HasExited)
                {
                    first.Kill(entireProcessTree: true);
                }
            }

            Assert.Equal(130, first.ExitCode);
            var error = await stderr;
            Assert.Contains("again to abort", error, StringComparison.Ordinal);
            Assert.Contains("second interrupt: stopping now; the sweep stays resumable", error, StringComparison.Ordinal);
            _ = await stdout;
        }

        var (_, interrupted, _) = EmbeddedSweepHost.Read(output);
        Assert.All(interrupted.Trials.Values, t => Assert.Equal(Sweeps.Actors.State.TrialStatus.Running, t.Status));

        // Run again: both trials run from the start and complete, each once.
        await RunAgainAsync(sweep, output, TimeSpan.FromMinutes(3));

        var completed = SweepTestFiles.LoadEvents(output).OfType<TrialCompleted>().GroupBy(e => e.TrialId).ToList();
        Assert.Equal(["sleep-0001", "sleep-0002"], completed.Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.All(completed, g => Assert.Single(g));
    }

    private static int TeacherEpochsRecorded(string output) =>
        SweepTestFiles.LoadEvents(output).OfType<TrialEpochCompleted>().Count(e => e.TrialId == Teacher);

    // Before the interrupt nothing can end (the trials sleep 15 s): a started trial is a running one.
    private static int RunningTrials(string output) => SweepTestFiles.LoadEvents(output).OfType<TrialStarted>().Count();

    // Runs the sweep again to its end within limit, asserts it succeeded, and returns its standard output.
    private async Task<string> RunAgainAsync(string sweep, string output, TimeSpan limit)
    {
        using var second = Start(sweep, output);
        var stdout = second.StandardOutput.ReadToEndAsync();
        var stderr = second.StandardError.ReadToEndAsync();
        Assert.True(await Task.Run(() => second.WaitForExit(limit)), "the second run did not finish");
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {await stdout} {await stderr}");
        return await stdout;
    }

    private Process Start(string sweep, string output)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(CliDll());
        info.ArgumentList.Add("run");
        info.ArgumentList.Add(sweep);
        info.ArgumentList.Add("--out");
        info.ArgumentList.Add(output);
        info.Environment["DOTNET_GCgen0size"] = "0x400000";
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Sweeps.Cli.dll as built next to its runtimeconfig (the test's copy, or the CLI project's output).</summary>
    internal static string CliDll()
    {
        var local = typeof(RunCommand).Assembly.Location;
        if (File.Exists(Path.ChangeExtension(local, ".runtimeconfig.json")))
        {
            return local;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
        {
            dir = dir.Parent;
        }

        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        return Path.Combine(dir!.FullName, "cluster", "Sweeps.Cli", "bin", config, "net10.0", "Sweeps.Cli.dll");
    }
}
