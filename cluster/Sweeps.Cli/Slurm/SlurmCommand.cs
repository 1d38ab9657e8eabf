using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Sweeps.Cluster.Configuration;
using Sweeps.Monitoring;

namespace Sweeps.Cli.Slurm;

/// <summary>
/// <c>sweeps slurm submit --config cluster.hocon --sweep FILE --nodes N --gpus-per-node G</c>: writes the batch script
/// of a cluster sweep (<see cref="SbatchScript"/>) into the output folder and submits it with <c>sbatch</c>
/// (<c>--dry-run</c>: prints it only).
/// </summary>
internal static class SlurmCommand
{
    /// <summary>Builds the <c>slurm</c> command and its <c>submit</c> subcommand.</summary>
    internal static Command Create()
    {
        var config = new Option<string>("--config")
        {
            Description = "The cluster configuration (HOCON), on the shared file system: every node reads it. Its sweeps.store-path and "
                + "sweeps.checkpoint-dir must be in a folder every node sees at the same path; sweeps.port is the coordinator's port (each worker takes the next).",
            DefaultValueFactory = _ => "cluster.hocon",
        };
        var sweep = new Option<string>("--sweep") { Description = "The sweep file (YAML), on the shared file system.", Required = true };
        var nodes = new Option<int>("--nodes") { Description = "Nodes to allocate: one worker on each, the coordinator on the first.", Required = true };
        var gpus = new Option<int>("--gpus-per-node") { Description = "GPUs per node, one trial slot each; 0 on a CPU-only partition (whole nodes, one slot per CPU).", Required = true };
        var partition = new Option<string?>("--partition") { Description = "The Slurm partition (default: the cluster's default)." };
        var time = new Option<string?>("--time") { Description = "The job's time limit (Slurm's format, e.g. 12:00:00 or 2-00). Before it ends, the sweep is cancelled resumably." };
        var account = new Option<string?>("--account") { Description = "The account to charge." };
        var output = new Option<string?>("--output") { Description = "Folder for the batch script, the job's log (sweeps-JOBID.out) and Prometheus targets (default: slurm/ in the store's folder)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the batch script; submit nothing." };
        var submit = new Command("submit", "Submit a cluster sweep as one Slurm job: a coordinator on the first node, a worker on every node (srun). Submitting the same sweep again resumes it.")
        {
            config, sweep, nodes, gpus, partition, time, account, output, dryRun,
        };
        submit.SetAction((r, cancellationToken) => SubmitAsync(
            new SubmitRequest(r.GetValue(config)!, r.GetValue(sweep)!, r.GetValue(nodes), r.GetValue(gpus), r.GetValue(partition), r.GetValue(time), r.GetValue(account), r.GetValue(output), r.GetValue(dryRun)),
            Console.Out,
            Console.Error,
            cancellationToken));
        return new Command("slurm", "Run cluster sweeps on a Slurm cluster.") { submit };
    }

    /// <summary>Writes and submits (or prints) the batch script; returns the exit code.</summary>
    internal static async Task<int> SubmitAsync(SubmitRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ClusterConfig config;
        try
        {
            config = ClusterConfigFile.Load(request.ConfigFile);
        }
        catch (ClusterConfigException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return RunCommand.BadInput;
        }

        if (config.Port is < 1 or > 65534)
        {
            await error.WriteLineAsync(
                $"error: {request.ConfigFile}: sweeps.port {config.Port}: expected a fixed port 1..65534 in a Slurm job (every node is a seed: the coordinator listens on it, each worker on the next one)").ConfigureAwait(false);
            return RunCommand.BadInput;
        }

        if (await RunCommand.LoadSweepAsync(request.SweepFile, error).ConfigureAwait(false) is not { } definition)
        {
            return RunCommand.BadInput;
        }

        var store = Path.GetDirectoryName(config.StorePath)!;
        SlurmJob job;
        string script;
        try
        {
            job = new SlurmJob
            {
                SweepName = definition.Name,
                Nodes = request.Nodes,
                GpusPerNode = request.GpusPerNode,
                Partition = request.Partition,
                Time = request.Time,
                Account = request.Account,
                OutputDirectory = Path.GetFullPath(request.OutputDirectory ?? Path.Combine(store, "slurm")),
                Command = SelfCommand(),
                ConfigFile = Path.GetFullPath(request.ConfigFile),
                SweepFile = Path.GetFullPath(request.SweepFile),
                StoreDirectory = store,
                CoordinatorPort = config.Port,
                MetricsPort = config.MetricsAddress == "off" ? null : MetricsEndpointOptions.Parse(config.MetricsAddress).Port,
            };
            script = SbatchScript.Render(job);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return SweepsCommand.UsageError;
        }

        if (request.DryRun)
        {
            await output.WriteAsync(script).ConfigureAwait(false);
            return 0;
        }

        Directory.CreateDirectory(job.OutputDirectory);
        await File.WriteAllTextAsync(job.ScriptPath, script, cancellationToken).ConfigureAwait(false);
        var (code, stdout, stderr) = await SbatchAsync(job.ScriptPath, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            await error.WriteLineAsync($"error: {stderr.Trim()}").ConfigureAwait(false);
            return RunCommand.BadInput;
        }

        var id = stdout.Trim().Split(';')[0];
        var gpus = job.GpusPerNode > 0 ? $"{job.GpusPerNode} GPU(s) each" : "CPUs only";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $$"""
            submitted job {{id}} ({{job.JobName}}): {{job.Nodes}} node(s), {{gpus}}; the coordinator on the first node, a worker on each
              script       {{job.ScriptPath}}
              job log      {{job.OutputDirectory}}/sweeps-{{id}}.out
              store        {{store}} (results, report)
              checkpoints  {{Path.Combine(config.CheckpointDirectory, definition.Name)}}
            follow it:
              squeue --job {{id}}
              tail -f {{job.OutputDirectory}}/sweeps-{{id}}.out
              sweeps status {{store}}
            """)).ConfigureAwait(false);
        if (job.MetricsPort is { } metrics)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  Prometheus: file_sd_configs: [{{files: [\"{job.OutputDirectory}/{SbatchScript.TargetsFile}\"]}}] (written when the job starts; coordinator :{metrics} on the first node, workers :{job.WorkerMetricsPort})")).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"stop it: scancel {id} (as `sweeps cancel`: running trials stop checkpointed); submit again to resume").ConfigureAwait(false);
        return 0;
    }

    /// <summary>How a node runs this CLI: the running dotnet host and this assembly, or the app host alone.</summary>
    internal static IReadOnlyList<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(SlurmCommand).Assembly.Location] : [process];
    }

    private static async Task<(int Code, string Output, string Error)> SbatchAsync(string script, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("sbatch") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--parsable");
        info.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("sbatch did not start");
        }
        catch (Win32Exception)
        {
            return (127, string.Empty, $"sbatch was not found on PATH: run `sweeps slurm submit` on a Slurm login node (the script is in {script}; --dry-run prints it)");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var err = await stderr.ConfigureAwait(false);
            return (process.ExitCode, await stdout.ConfigureAwait(false), process.ExitCode == 0 ? err : $"sbatch {script} failed (exit {process.ExitCode}): {err}");
        }
    }
}
