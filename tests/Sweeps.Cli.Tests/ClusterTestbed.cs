using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sweeps.Actors.Messages;

namespace Sweeps.Cli.Tests;

/// <summary>
/// Real cluster processes on 127.0.0.1 for the fault tests: a cluster.hocon whose seeds are the coordinator's and the
/// workers' ports (free ports picked per testbed), <c>dotnet Sweeps.Cli.dll coordinator|worker</c> processes with
/// their output collected, signals (SIGKILL, SIGTERM, SIGSTOP, SIGCONT), the store's events, and the assertions every
/// fault test shares. Disposing kills what is left.
/// </summary>
internal sealed class ClusterTestbed : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly Dictionary<Process, StringBuilder> _logs = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ClusterTestbed(int workers, string? extraConfig = null)
    {
        Dir = Directory.CreateTempSubdirectory("sweeps-cluster-proc-").FullName;
        CoordinatorPort = FreePort();
        WorkerPorts = [.. Enumerable.Range(0, workers).Select(_ => FreePort())];
        var seeds = string.Join(", ", new[] { CoordinatorPort }.Concat(WorkerPorts).Select(p => $"\"127.0.0.1:{p}\""));
        File.WriteAllText(Config, $$"""
            sweeps {
              hostname = "127.0.0.1"
              port = {{CoordinatorPort}}
              seed-nodes = [{{seeds}}]
              checkpoint-dir = ck
              store-path = out/store.db
              metrics-address = off
              devices = [cpu, cpu]
            }
            {{RepositoryAkkaBlock()}}
            {{extraConfig}}
            """);
    }

    public string Dir { get; }

    public int CoordinatorPort { get; }

    public IReadOnlyList<int> WorkerPorts { get; }

    public string Config => Path.Combine(Dir, "cluster.hocon");

    public string Output => Path.Combine(Dir, "out");

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>A sweep file: a real teacher (ResNet-20 on 128 synthetic samples) and sleeping trials.</summary>
    public string Sweep(string name, int teacherEpochs, int sleeping, int sleepMs) => SweepTestFiles.WriteSweep(Dir, name, teacherEpochs, sleeping, sleepMs);

    public Process Coordinator(string sweep, params string[] extra) => Start(["coordinator", "--config", Config, "--sweep", sweep, .. extra]);

    /// <summary>Worker <paramref name="index"/> on its seed port.</summary>
    public Process Worker(int index, params string[] extra) =>
        Start(["worker", "--config", Config, "--set", $"port={WorkerPorts[index]}", "--metrics", "off", .. extra]);

    public static string Node(Process p) => $"{Environment.MachineName}/{p.Id}";

    public static void Signal(Process p, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {p.Id}") ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
    }

    public List<TrialEvent> Events() => SweepTestFiles.LoadEvents(Output);

    public async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what, params Process[] alive)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout || alive.Any(p => p.HasExited))
            {
                Assert.Fail($"waiting for {what}: " + (clock.Elapsed > timeout ? "timed out" : "a process ended") + "\n" + Report());
            }

            await Task.Delay(100);
        }
    }

    public async Task WaitExit(Process process, TimeSpan timeout, int expected = 0)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"process {process.Id} did not finish in time\n" + Report());
        }

        Assert.True(process.ExitCode == expected, $"process {process.Id} exit {process.ExitCode}, expected {expected}\n{Report()}");
    }

    /// <summary>The sweep completed; every trial is exactly once in results.json and completed once in the store;
    /// no event key is recorded twice; each trial's epochs were each trained (logged) exactly once.</summary>
    public void AssertEachTrialCompletedOnce(string sweep, int count)
    {
        try
        {
            SweepTestFiles.AssertEachTrialCompletedOnce(Output, Path.Combine(Dir, "ck", sweep, "trials"), count);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException(ex.Message + "\n" + Report());
        }
    }

    public string Logs()
    {
        lock (_logs)
        {
            return string.Join("\n", _logs.Select(l => $"--- {l.Key.Id}:\n{l.Value}"));
        }
    }

    /// <summary>For a failure message: first each process's last lines of its own (the sweep's lines and the split brain
    /// resolver's decisions; the rest of Akka's lines and stack traces left out), then every line of every process. CI
    /// prints the beginning of a failure message.</summary>
    public string Report()
    {
        lock (_logs)
        {
            var own = _logs.Select(l => $"--- {l.Key.Id}, its last lines of its own:\n" + string.Join("\n", l.Value.ToString().Split('\n').Where(Own).TakeLast(15)));
            return string.Join("\n", own) + "\n=== every line:\n" + Logs();
        }

        static bool Own(string line) =>
            line.Length > 9 && !line[9..].StartsWith(' ') && !line[9..].StartsWith("Cause:", StringComparison.Ordinal)
            && (!line.Contains("][Thread ", StringComparison.Ordinal)
                || line.Contains("[ActorSystem(sweeps)]", StringComparison.Ordinal) || line.Contains("/downingProvider]", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
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

        Directory.Delete(Dir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The repository's akka block (split brain resolver, failure detector): the tests run what users run.
    private static string RepositoryAkkaBlock()
    {
        var text = File.ReadAllText(Path.Combine(SweepTestFiles.RepoRoot, "cluster.hocon"));
        return text[text.IndexOf("\nakka {", StringComparison.Ordinal)..];
    }

    private Process Start(string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
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

        var at = _clock.Elapsed;
        p.OutputDataReceived += (_, e) => Append(log, e.Data);
        p.ErrorDataReceived += (_, e) => Append(log, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        Append(log, $"(started at {at.TotalSeconds:F1} s: {string.Join(' ', args)})");
        return p;
    }

    private void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logs)
        {
            log.Append(FormattableString.Invariant($"[{_clock.Elapsed.TotalSeconds,6:F1}] ")).AppendLine(line);
        }
    }
}
