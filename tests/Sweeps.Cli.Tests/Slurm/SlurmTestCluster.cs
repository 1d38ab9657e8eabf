using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sweeps.Cli.Tests.Slurm;

/// <summary>
/// A real Slurm for a test: <c>munged</c> (its own key, socket and state), <c>slurmctld</c> and <c>slurmd</c> on
/// 127.0.0.1 on free ports, with their own state, spool and log folders and a <c>slurm.conf</c> written here: one node
/// (this machine's host name) whose CPUs are its slots, no cgroups (<c>proctrack/linuxproc</c>, <c>task/none</c>), no
/// accounting, everything as root. Client commands (<c>sbatch</c>, <c>squeue</c>, <c>scancel</c>, ...) reach it through
/// <c>SLURM_CONF</c> (<see cref="Environment"/>). Dispose cancels every job and stops the daemons (also after a failed
/// test). Fails (never skips) when Slurm or munge is not installed: <c>./sweeps.sh setup</c> installs them.
/// </summary>
internal sealed class SlurmTestCluster : IAsyncDisposable
{
    /// <summary>Every fixture's folder starts with this, under the temporary folder; a folder left by a test host that
    /// died is cleaned (its daemons killed) by the next fixture.</summary>
    private const string Prefix = "sweeps-slurm-";

    /// <summary>How long a requeued job waits before it may start again (Slurm's <c>cred_expire</c>, default 120 s).</summary>
    public const int RequeueDelaySeconds = 10;

    private readonly List<Process> _daemons = [];

    private SlurmTestCluster(string directory, string node, int controllerPort, int nodePort)
    {
        Directory = directory;
        Node = node;
        ControllerPort = controllerPort;
        NodePort = nodePort;
    }

    /// <summary>The fixture's folder: configuration, state, spool, logs (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary>The one node's name (this machine's host name; it resolves to a loopback address).</summary>
    public string Node { get; }

    public int ControllerPort { get; }

    public int NodePort { get; }

    public string ConfigFile => Path.Combine(Directory, "slurm.conf");

    public string MungeSocket => Path.Combine(Directory, "munge-run", "munge.socket");

    /// <summary>The variables a Slurm client command (and a process that runs one) needs to reach this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["SLURM_CONF"] = ConfigFile,
    };

    /// <summary>Starts munged, slurmctld and slurmd and waits until the node is idle (a few seconds).</summary>
    public static async Task<SlurmTestCluster> StartAsync()
    {
        foreach (var binary in new[] { "/usr/sbin/munged", "/usr/sbin/mungekey", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch" })
        {
            if (!File.Exists(binary))
            {
                throw new InvalidOperationException(
                    $"{binary} is missing: the Slurm tests run a real Slurm. Run ./sweeps.sh setup (APT_PACKAGES has slurm-wlm and munge) or apt-get install slurm-wlm munge.");
            }
        }

        CleanStale();
        var directory = System.IO.Directory.CreateTempSubdirectory(Prefix).FullName;

        // munged insists that every folder above its socket is searchable by all, and that its key is private.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(Path.Combine(directory, "owner"), System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var controllerPort = FreePort();
        var nodePort = FreePort();
        while (nodePort == controllerPort)
        {
            nodePort = FreePort();
        }

        var cluster = new SlurmTestCluster(directory, NodeName(), controllerPort, nodePort);
        try
        {
            await cluster.StartDaemonsAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a Slurm client command (sbatch, squeue, scontrol, scancel) against this cluster; returns its
    /// standard output, or throws with its output when it fails.</summary>
    public async Task<string> RunAsync(string command, params string[] args)
    {
        var (code, output, error) = await ExecAsync(command, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited {code}: {error}{output}\n{Logs()}");
        }

        return output;
    }

    /// <summary>Submits a batch script; returns the job id.</summary>
    public async Task<string> SubmitAsync(string script, params string[] options)
    {
        var output = await RunAsync("sbatch", [.. options, "--parsable", script]);
        return output.Trim().Split(';')[0];
    }

    /// <summary>A job's state (PENDING, RUNNING, COMPLETED, CANCELLED, ...) and its fields, from <c>scontrol show job</c>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> JobAsync(string jobId)
    {
        var line = await RunAsync("scontrol", "show", "job", "--oneliner", jobId);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields.TryAdd(part[..equals], part[(equals + 1)..]);
            }
        }

        return fields;
    }

    /// <summary>Waits until the job's state is one of <paramref name="states"/>; fails with the daemons' logs on time-out.</summary>
    public async Task<IReadOnlyDictionary<string, string>> WaitForStateAsync(string jobId, TimeSpan timeout, params string[] states)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await JobAsync(jobId);
            if (states.Contains(job.GetValueOrDefault("JobState")))
            {
                return job;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"job {jobId} did not reach {string.Join('|', states)} in {timeout.TotalSeconds:F0} s (now {job.GetValueOrDefault("JobState")}, reason {job.GetValueOrDefault("Reason")})\n{Logs()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The daemons' logs (for a failing test's message).</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var log in new[] { "slurmctld.log", "slurmd.log", "munged.log" })
        {
            var path = Path.Combine(Directory, "log", log);
            if (File.Exists(path))
            {
                var lines = File.ReadAllLines(path);
                text.AppendLine(CultureInfo.InvariantCulture, $"--- {log} (last 40 of {lines.Length} lines)");
                foreach (var line in lines.TakeLast(40))
                {
                    text.AppendLine(line);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Cancels every job, waits for them to end, stops the daemons and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_daemons.Count >= 3)
        {
            try
            {
                // Jobs' processes (slurmstepd and its tasks) outlive slurmd: end them through Slurm first.
                var jobs = (await ExecAsync("squeue", "--noheader", "--format=%i")).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (jobs.Length > 0)
                {
                    await ExecAsync("scancel", jobs);
                    var clock = Stopwatch.StartNew();
                    while (clock.Elapsed < TimeSpan.FromSeconds(60)
                        && (await ExecAsync("squeue", "--noheader", "--format=%i")).Output.Trim().Length > 0)
                    {
                        await Task.Delay(250);
                    }
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // The daemons are stopped below in any case.
            }
        }

        // slurmd, then slurmctld, then munged; then whatever a job left behind.
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            await StopAsync(_daemons[i]);
        }

        KillProcessesOf(ConfigFile);

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartDaemonsAsync()
    {
        var munge = Path.Combine(Directory, "munge");
        var run = Path.Combine(Directory, "munge-run");
        var log = Path.Combine(Directory, "log");
        foreach (var d in new[] { munge, run, log, Path.Combine(Directory, "state"), Path.Combine(Directory, "spool") })
        {
            System.IO.Directory.CreateDirectory(d);
        }

        File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = Path.Combine(munge, "munge.key");
        await RunAsync("/usr/sbin/mungekey", "--create", $"--keyfile={key}");
        File.SetUnixFileMode(key, UnixFileMode.UserRead);

        Start("/usr/sbin/munged", "--foreground", $"--key-file={key}", $"--socket={MungeSocket}", $"--pid-file={Path.Combine(munge, "munged.pid")}",
            $"--log-file={Path.Combine(log, "munged.log")}", $"--seed-file={Path.Combine(munge, "munged.seed")}");
        await WaitUntilAsync(async () => (await ExecAsync("munge", "--socket", MungeSocket, "--no-input")).Code == 0, "munged answers on its socket");

        File.WriteAllText(ConfigFile, SlurmConf());
        Start("/usr/sbin/slurmctld", "-D", "-f", ConfigFile);
        Start("/usr/sbin/slurmd", "-D", "-f", ConfigFile, "-N", Node);
        await WaitUntilAsync(async () => (await ExecAsync("sinfo", "--noheader", "--format=%T")).Output.Trim() == "idle", "the node idle in sinfo");
    }

    private string SlurmConf()
    {
        var cpus = System.Environment.ProcessorCount;
        string P(string name) => Path.Combine(Directory, name);
        return $"""
            # Written by the Slurm tests (SlurmTestCluster): one node on 127.0.0.1, no cgroups, no accounting, root.
            ClusterName=sweepstest
            SlurmctldHost={Node}(127.0.0.1)
            SlurmctldPort={ControllerPort}
            SlurmdPort={NodePort}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket={MungeSocket},cred_expire={RequeueDelaySeconds}
            StateSaveLocation={P("state")}
            SlurmdSpoolDir={P("spool")}
            SlurmctldPidFile={P("state/slurmctld.pid")}
            SlurmdPidFile={P("spool/slurmd.pid")}
            SlurmctldLogFile={P("log/slurmctld.log")}
            SlurmdLogFile={P("log/slurmd.log")}
            SlurmctldDebug=info
            SlurmdDebug=info
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SwitchType=switch/none
            MpiDefault=none
            ReturnToService=2
            KillWait=60
            MinJobAge=3600
            NodeName={Node} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
            PartitionName=test Nodes={Node} Default=YES MaxTime=INFINITE State=UP
            """ + "\n";
    }

    private void Start(string binary, params string[] args)
    {
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["SLURM_CONF"] = ConfigFile;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{binary} did not start");
        var name = Path.GetFileName(binary);
        var log = Path.Combine(Directory, "log", name + ".out");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add(process);
    }

    private static void Append(string path, string? line)
    {
        if (line is not null)
        {
            lock (typeof(SlurmTestCluster))
            {
                File.AppendAllText(path, line + "\n");
            }
        }
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            var dead = _daemons.FirstOrDefault(d => d.HasExited);
            if (dead is not null || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                var outputs = string.Join("\n", System.IO.Directory.GetFiles(Path.Combine(Directory, "log"), "*.out").Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
                throw new InvalidOperationException(
                    $"Slurm test cluster: waiting for {what}: " + (dead is null ? "timed out after 60 s" : $"{dead.StartInfo.FileName} exited with {dead.ExitCode}") + $"\n{outputs}\n{Logs()}");
            }

            await Task.Delay(200);
        }
    }

    private Task<(int Code, string Output, string Error)> ExecAsync(string command, params string[] args) =>
        ProcessRun.RunAsync(command, args, Environment);

    private static async Task StopAsync(Process daemon)
    {
        try
        {
            if (!daemon.HasExited)
            {
                Kill(daemon.Id, "TERM");
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await daemon.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    daemon.Kill();
                    await daemon.WaitForExitAsync();
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        daemon.Dispose();
    }

    private static void Kill(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
    }

    /// <summary>Kills the daemons and jobs of fixtures whose test host died (their owner process is gone) and deletes
    /// their folders.</summary>
    private static void CleanStale()
    {
        foreach (var dir in System.IO.Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.Combine(dir, "owner");
            if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner).Trim(), CultureInfo.InvariantCulture, out var ownerPid)
                || System.IO.Directory.Exists($"/proc/{ownerPid}"))
            {
                continue;
            }

            KillProcessesOf(Path.Combine(dir, "slurm.conf"));
            try
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Kills (SIGKILL) every process of one test cluster: its daemons, slurmstepd and the jobs' processes all
    /// carry <c>SLURM_CONF=</c><paramref name="config"/> in their environment (the daemons are started with it, jobs
    /// inherit it from sbatch).</summary>
    private static void KillProcessesOf(string config)
    {
        var marker = Encoding.UTF8.GetBytes($"SLURM_CONF={config}\0");
        foreach (var proc in System.IO.Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), CultureInfo.InvariantCulture, out var pid) || pid == System.Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(proc, "environ")).AsSpan().IndexOf(marker) >= 0)
                {
                    Kill(pid, "KILL");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }
    }

    /// <summary>This machine's host name when it resolves to a loopback address (the node name jobs see and that
    /// Sweeps' nodes advertise), else <c>localhost</c>.</summary>
    private static string NodeName()
    {
        var host = Dns.GetHostName();
        try
        {
            if (Dns.GetHostAddresses(host).Any(IPAddress.IsLoopback))
            {
                return host;
            }
        }
        catch (SocketException)
        {
        }

        return "localhost";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
