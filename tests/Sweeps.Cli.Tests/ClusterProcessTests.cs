using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Cluster;
using Sweeps.Cluster.Tests;

namespace Sweeps.Cli.Tests;

/// <summary>
/// Cluster mode with real processes (dotnet Sweeps.Cli.dll coordinator / worker) and a real RabbitMQ broker,
/// under injected faults: kill -9 of a worker and of the coordinator, the broker stopped mid-sweep, a worker's login
/// refused until its receive endpoints gave up.
/// </summary>
public sealed class ClusterProcessTests : IAsyncLifetime
{
    private const string Teacher = "resnet20-synthetic-fp-s0";

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-cluster-proc-").FullName;
    private readonly List<Process> _processes = [];
    private readonly Dictionary<Process, StringBuilder> _logs = [];
    private RabbitMqBroker? _broker;

    private string Config => Path.Combine(_dir, "cluster.yaml");

    private string Output => Path.Combine(_dir, "out");

    public async Task InitializeAsync()
    {
        _broker = await RabbitMqBroker.StartAsync();
        File.WriteAllText(Config, _broker.ClusterYaml(Path.Combine(_dir, "ck"), Path.Combine(Output, "store.db"), "[cpu, cpu]"));
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Worker_KilledMidTrial_TrialFinishesOnAnotherWorkerResumedFromCheckpointEachTrialOnce()
    {
        var sweep = Sweep("killworker", teacherEpochs: 5, sleeping: 6, sleepMs: 800);
        var coordinator = StartCli("coordinator", "--config", Config, "--sweep", sweep);
        var first = StartCli("worker", "--config", Config);
        await WaitUntil(() => Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), TimeSpan.FromMinutes(3), "the teacher's first epoch", coordinator, first);
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        var interrupted = EmbeddedSweepHost.Read(Output).State.Trials[Teacher];
        Assert.Equal(TrialStatus.Running, interrupted.Status);

        StartCli("worker", "--config", Config);
        await WaitExit(coordinator, TimeSpan.FromMinutes(4));

        AssertEachTrialCompletedOnce(7);
        var completed = Events().OfType<TrialCompleted>().Single(e => e.TrialId == Teacher);
        Assert.Equal(1, completed.Attempt);
        Assert.True(completed.ResumedAfterEpoch >= 1, "the teacher restarted from epoch 0 instead of its checkpoint");
        var started = Events().OfType<TrialStarted>().Single(e => e.TrialId == Teacher);
        Assert.StartsWith(Environment.MachineName + "/", started.Node, StringComparison.Ordinal);
        var epochs = File.ReadAllLines(Path.Combine(_dir, "ck", "killworker", "trials", Teacher, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal([1, 2, 3, 4, 5], epochs);
    }

    [Fact]
    public async Task Coordinator_KilledAndRestarted_NoEventLostAndNoDuplicate()
    {
        var sweep = Sweep("killcoord", teacherEpochs: 1, sleeping: 16, sleepMs: 600);
        var coordinator = StartCli("coordinator", "--config", Config, "--sweep", sweep);
        StartCli("worker", "--config", Config);
        StartCli("worker", "--config", Config);
        await WaitUntil(() => Events().OfType<TrialCompleted>().Count() >= 4, TimeSpan.FromMinutes(2), "4 completed trials", coordinator);
        coordinator.Kill(entireProcessTree: true);
        await coordinator.WaitForExitAsync();
        var before = Events().Count;
        await Task.Delay(TimeSpan.FromSeconds(3));

        var second = StartCli("coordinator", "--config", Config, "--sweep", sweep);
        await WaitExit(second, TimeSpan.FromMinutes(3));

        Assert.True(Events().Count > before);
        AssertEachTrialCompletedOnce(17);
    }

    [Fact]
    public async Task Broker_StoppedTenSecondsMidSweep_NodesReconnectAndSweepCompletes()
    {
        // 16 trials of 3 s on 4 slots: ~12 s of work after the teacher, so the broker goes down with trials running
        // on both workers and others waiting in the queue (asserted below, or the test would test nothing).
        var sweep = Sweep("brokerdown", teacherEpochs: 1, sleeping: 16, sleepMs: 3000);
        var coordinator = StartCli("coordinator", "--config", Config, "--sweep", sweep);
        StartCli("worker", "--config", Config);
        StartCli("worker", "--config", Config);
        await WaitUntil(() => Events().OfType<TrialCompleted>().Count() >= 3, TimeSpan.FromMinutes(2), "3 completed trials", coordinator);
        await _broker!.StopAsync();
        var completedWhileUp = Events().OfType<TrialCompleted>().Count();
        Assert.True(completedWhileUp < 17, "the sweep finished before the broker stopped: no outage was tested");
        await Task.Delay(TimeSpan.FromSeconds(10));
        await _broker.RestartAsync();

        await WaitExit(coordinator, TimeSpan.FromMinutes(3));
        AssertEachTrialCompletedOnce(17);

        // The trials running at the outage went on where they were; their messages, delivered again once the broker was
        // back, waited on the trials' leases instead of starting them a second time.
        var runs = System.Text.RegularExpressions.Regex.Matches(Logs(), @"^worker \S+: (\S+) attempt (\d+) runs on ", System.Text.RegularExpressions.RegexOptions.Multiline)
            .GroupBy(r => (r.Groups[1].Value, r.Groups[2].Value)).ToList();
        Assert.Equal(17, runs.Count);
        Assert.All(runs, r => Assert.True(r.Count() == 1, $"{r.Key} ran {r.Count()} times\n{Logs()}"));
    }

    [Fact]
    public async Task Worker_WhoseLoginWasRefused_ReceivesOnANewConnection_AndRunsTheSweep()
    {
        var worker = StartCli("worker", "--config", Config);
        await WaitUntil(() => Logs().Contains(" slots (", StringComparison.Ordinal), TimeSpan.FromMinutes(1), "the worker's start", worker);

        // The user's connections are closed and its logins refused: MassTransit stops reconnecting the worker's
        // receive endpoints for good ("Cannot Retry"). The user comes back; the worker must notice by itself.
        await _broker!.DeleteUserAsync();
        await WaitUntil(() => Logs().Contains("Cannot Retry", StringComparison.Ordinal), TimeSpan.FromMinutes(1), "MassTransit giving up on the worker's receive endpoints", worker);
        await _broker.AddUserAsync();

        var coordinator = StartCli("coordinator", "--config", Config, "--sweep", Sweep("refused", teacherEpochs: 1, sleeping: 4, sleepMs: 500));
        await WaitExit(coordinator, TimeSpan.FromMinutes(3));
        AssertEachTrialCompletedOnce(5);
        Assert.Contains("; receiving on a new connection", Logs(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_JoiningMidSweep_ReceivesWork()
    {
        // One slot on the first worker and 12 trials of 1.5 s: it alone would need ~15 s after the second trial
        // completes, time enough for a second process to start and connect even on a slow, loaded machine.
        var sweep = Sweep("join", teacherEpochs: 1, sleeping: 12, sleepMs: 1500);
        var coordinator = StartCli("coordinator", "--config", Config, "--sweep", sweep);
        StartCli("worker", "--config", Config, "--devices", "cpu");
        await WaitUntil(() => Events().OfType<TrialCompleted>().Count() >= 2, TimeSpan.FromMinutes(2), "2 completed trials", coordinator);
        var late = StartCli("worker", "--config", Config);

        await WaitExit(coordinator, TimeSpan.FromMinutes(3));
        AssertEachTrialCompletedOnce(13);
        var byLate = Events().OfType<TrialStarted>().Count(e => e.Node == $"{Environment.MachineName}/{late.Id}");
        Assert.True(byLate >= 1, "the worker that joined mid-sweep ran no trial\n" + Logs());
    }

    [Fact]
    public async Task Cancel_MidSweep_StopsRunningTrialsResumableAndRestartCompletesThem()
    {
        // Six teacher epochs: the cancellation (polled every 250 ms, then sent through the broker) lands long before
        // the teacher could finish, however slow the machine.
        var sweep = Sweep("cancel", teacherEpochs: 6, sleeping: 4, sleepMs: 5000);
        var coordinator = StartCli("coordinator", "--config", Config, "--sweep", sweep);
        var worker = StartCli("worker", "--config", Config);
        await WaitUntil(() => Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), TimeSpan.FromMinutes(3), "the teacher's first epoch", coordinator);
        Assert.Equal(0, CancelCommand.Request(Output, TextWriter.Null, TextWriter.Null));

        using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await coordinator.WaitForExitAsync(cts.Token);
            await worker.WaitForExitAsync(cts.Token);
        }

        Assert.Equal(RunCommand.Cancelled, coordinator.ExitCode);
        Assert.Equal(RunCommand.Cancelled, worker.ExitCode);
        var state = EmbeddedSweepHost.Read(Output).State;
        Assert.Equal(TrialStatus.Cancelled, state.Trials[Teacher].Status);
        Assert.True(state.Trials[Teacher].EpochsCompleted >= 1);
        Assert.DoesNotContain(state.Trials.Values, t => t.Status == TrialStatus.Running);

        var again = StartCli("coordinator", "--config", Config, "--sweep", sweep, "--set", "metricsAddress=off");
        StartCli("worker", "--config", Config, "--devices", "cpu,cpu,cpu,cpu,cpu");
        await WaitExit(again, TimeSpan.FromMinutes(3));
        var completed = Events().OfType<TrialCompleted>().Single(e => e.TrialId == Teacher);
        Assert.Equal(2, completed.Attempt);
        Assert.True(completed.ResumedAfterEpoch >= 1, "the cancelled teacher restarted from epoch 0");
    }

    private void AssertEachTrialCompletedOnce(int count)
    {
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, "results.json")));
        Assert.Equal("completed", results.RootElement.GetProperty("sweep").GetProperty("status").GetString());
        var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(count, trials.Count);
        Assert.Equal(count, trials.Select(t => t.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(trials, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        var completed = Events().OfType<TrialCompleted>().GroupBy(e => e.TrialId).ToList();
        Assert.Equal(count, completed.Count);
        Assert.All(completed, g => Assert.Single(g));
        var keys = Events().Select(e => e.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    private string Sweep(string name, int teacherEpochs, int sleeping, int sleepMs)
    {
        var path = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(path, $$"""
            name: {{name}}
            dataset: synthetic
            models: [resnet20]
            methods: [fp]
            epochs: {teacher: {{teacherEpochs}}, student: 1}
            limit: 128
            test_limit: 64
            devices: [cpu]
            _sleep_trials: {count: {{sleeping}}, ms: {{sleepMs}}}
            """);
        return path;
    }

    private List<TrialEvent> Events()
    {
        var path = Path.Combine(Output, "store.db");
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            using var store = new SqliteSweepStore(path);
            return store.LoadEvents().ToList();
        }
        catch (Sweeps.Actors.Storage.StoreException)
        {
            return [];
        }
    }

    private async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what, params Process[] alive)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout || alive.Any(p => p.HasExited))
            {
                Assert.Fail($"waiting for {what}: " + (clock.Elapsed > timeout ? "timed out" : "a process ended") + "\n" + Logs() + await BrokerStatus());
            }

            await Task.Delay(100);
        }
    }

    private async Task WaitExit(Process coordinator, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await coordinator.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the coordinator did not finish in time\n" + Logs() + await BrokerStatus());
        }

        Assert.True(coordinator.ExitCode == 0, $"coordinator exit {coordinator.ExitCode}\n{Logs()}");
    }

    private async Task<string> BrokerStatus() => "\n--- broker:\n" + await _broker!.StatusAsync();

    private string Logs()
    {
        lock (_logs)
        {
            return string.Join("\n", _logs.Select(l => $"--- {l.Key.Id}:\n{l.Value}"));
        }
    }

    private Process StartCli(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(SweepProcessTests.CliDll());
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_GCgen0size"] = "0x400000";
        var p = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StringBuilder();
        lock (_logs)
        {
            _logs[p] = log;
        }

        p.OutputDataReceived += (_, e) => { lock (_logs) { log.AppendLine(e.Data); } };
        p.ErrorDataReceived += (_, e) => { lock (_logs) { log.AppendLine(e.Data); } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }
}
