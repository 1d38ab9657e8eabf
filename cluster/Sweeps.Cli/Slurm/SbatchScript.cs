using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sweeps.Cli.Slurm;

/// <summary>
/// The batch script of a cluster sweep on Slurm. The batch shell runs on the first node of the allocation: it starts
/// the coordinator there, and one worker per node with one <c>srun</c> step; every node is a seed. When the coordinator
/// ends (the sweep is done, or cancelled) the workers are stopped and the job ends with the coordinator's exit code.
/// SIGTERM to the batch shell (<c>scancel</c>, the time limit's <c>--signal</c>, a requeue or a preemption) cancels the
/// sweep as <c>sweeps cancel</c> does: running trials stop at their next step, checkpointed, and submitting the same
/// sweep again resumes it. <c>--dependency=singleton</c> keeps two jobs of one sweep from running at once.
/// </summary>
internal static partial class SbatchScript
{
    /// <summary>The settings each node gets on its command line (<c>--set KEY=VALUE</c>), by role.</summary>
    internal const string HostnameKey = "akka.remote.dot-netty.tcp.hostname";

    internal const string PortKey = "akka.remote.dot-netty.tcp.port";

    internal const string SeedNodesKey = "akka.cluster.seed-nodes";

    internal const string MetricsKey = "sweeps.metrics-address";

    /// <summary>The script for <paramref name="job"/>.</summary>
    /// <exception cref="ArgumentException">A value that cannot go into a batch script (names the option and what was expected).</exception>
    public static string Render(SlurmJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        Validate(job);
        var s = new StringBuilder();
        void Line(string text = "") => s.Append(text).Append('\n');
        string I(int value) => value.ToString(CultureInfo.InvariantCulture);

        Line("#!/bin/bash");
        Line($"# Sweep {job.SweepName} on Slurm, written by `sweeps slurm submit` (Sweeps {VersionCommand.SweepsVersion}).");
        Line("# The coordinator runs on the first node of the allocation, one worker per node (srun). Submitting this");
        Line("# script again resumes the sweep: completed trials are kept, interrupted ones resume from their checkpoints.");
        Line($"#SBATCH --job-name={job.JobName}");
        Line($"#SBATCH --nodes={I(job.Nodes)}");
        Line("#SBATCH --ntasks-per-node=1");
        Line(job.GpusPerNode > 0 ? $"#SBATCH --gpus-per-node={I(job.GpusPerNode)}" : "#SBATCH --exclusive");
        if (job.Partition is not null)
        {
            Line($"#SBATCH --partition={job.Partition}");
        }

        if (job.Time is not null)
        {
            Line($"#SBATCH --time={job.Time}");
        }

        if (job.Account is not null)
        {
            Line($"#SBATCH --account={job.Account}");
        }

        Line($"#SBATCH --output={job.OutputDirectory}/sweeps-%j.out");
        Line("#SBATCH --open-mode=append");
        Line("#SBATCH --requeue");
        Line("#SBATCH --dependency=singleton");
        Line($"#SBATCH --signal=B:TERM@{I(job.StopBeforeTimeLimitSeconds)}");
        Line("set -uo pipefail");
        Line();
        Line("# What every node runs: the same paths on every node (a shared file system).");
        Line($"sweeps=({string.Join(' ', job.Command.Select(Quote))})");
        Line($"config={Quote(job.ConfigFile)}");
        Line($"sweep={Quote(job.SweepFile)}");
        Line($"store={Quote(job.StoreDirectory)}");
        Line($"coordinator_port={I(job.CoordinatorPort)}");
        Line($"worker_port={I(job.WorkerPort)}");
        Line($"metrics_port={I(job.CoordinatorMetricsPort)}");
        Line($"worker_metrics_port={I(job.WorkerMetricsPort)}");
        Line();
        Line("log() { echo \"sweeps-slurm $(date -u +%FT%TZ): $*\"; }");
        Line();
        Line("mapfile -t nodes < <(scontrol show hostnames \"$SLURM_JOB_NODELIST\")");
        Line("first=${nodes[0]}");
        Line("# Every node is a seed: the coordinator and each worker.");
        Line($"seeds=\"[\\\"akka.tcp://{job.ActorSystem}@$first:$coordinator_port\\\"\"");
        Line($"for node in \"${{nodes[@]}}\"; do seeds+=\",\\\"akka.tcp://{job.ActorSystem}@$node:$worker_port\\\"\"; done");
        Line("seeds+=\"]\"");
        Line("log \"job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on ${#nodes[@]} node(s): ${nodes[*]}; coordinator on $first\"");
        Line("log \"follow: ${sweeps[*]} status $store; Prometheus targets: $first:$metrics_port (coordinator), ${nodes[*]/%/:$worker_metrics_port} (workers)\"");
        Line();
        Line("\"${sweeps[@]}\" coordinator --config \"$config\" --sweep \"$sweep\" \\");
        Line($"  --set \"{HostnameKey}=$first\" --set \"{PortKey}=$coordinator_port\" --set \"{SeedNodesKey}=$seeds\" \\");
        Line($"  --set \"{MetricsKey}=$first:$metrics_port\" &");
        Line("coordinator=$!");
        Line("# One worker per node; each names itself by its node's name (SLURMD_NODENAME) and takes the GPUs Slurm gave");
        Line("# its step as slots (the CPUs on a CPU-only partition).");
        var gpus = job.GpusPerNode > 0 ? $" --gpus-per-node={I(job.GpusPerNode)}" : string.Empty;
        Line("export worker_metrics_port");
        Line($"srun --ntasks-per-node=1 --kill-on-bad-exit=0{gpus} bash -c \\");
        Line($"  'exec \"$@\" --set \"{HostnameKey}=$SLURMD_NODENAME\" --metrics \"$SLURMD_NODENAME:$worker_metrics_port\"' worker \\");
        Line($"  \"${{sweeps[@]}}\" worker --config \"$config\" --devices {Sweeps.Cluster.Slurm.SlurmDevices.Keyword} \\");
        Line($"  --set \"{PortKey}=$worker_port\" --set \"{SeedNodesKey}=$seeds\" &");
        Line("workers=$!");
        Line();
        Line("stopping=");
        Line("stop() {");
        Line("  [[ -n $stopping ]] && return");
        Line("  stopping=1");
        Line("  log \"$1: cancelling the sweep (running trials stop at their next step, checkpointed; submit again to resume)\"");
        Line("  \"${sweeps[@]}\" cancel \"$store\"");
        Line("}");
        Line("trap 'stop \"SIGTERM (scancel, time limit, preemption or requeue)\"' TERM");
        Line();
        Line("# A trapped signal ends `wait` early: wait again until the process has ended; returns its exit code.");
        Line("wait_for() {");
        Line("  local code");
        Line("  while true; do");
        Line("    wait \"$1\"");
        Line("    code=$?");
        Line("    kill -0 \"$1\" 2>/dev/null || return \"$code\"");
        Line("  done");
        Line("}");
        Line("wait_for \"$coordinator\"");
        Line("code=$?");
        Line("log \"coordinator exited with $code; stopping the workers\"");
        Line("kill -TERM \"$workers\" 2>/dev/null");
        Line("wait_for \"$workers\"");
        Line("log \"job $SLURM_JOB_ID ends with $code\"");
        Line("exit \"$code\"");
        return s.ToString();
    }

    /// <summary>A word for bash: single-quoted, a single quote written as <c>'\''</c>.</summary>
    internal static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void Validate(SlurmJob job)
    {
        if (job.Nodes < 1)
        {
            throw new ArgumentException($"--nodes {job.Nodes}: expected a whole number >= 1");
        }

        if (job.GpusPerNode < 0)
        {
            throw new ArgumentException($"--gpus-per-node {job.GpusPerNode}: expected a whole number >= 0 (0: a CPU-only partition)");
        }

        // #SBATCH lines are not shell: their values are taken up to the first blank.
        Word("--partition", job.Partition);
        Word("--account", job.Account);
        Word("--job-name (the sweep's name)", job.SweepName);
        if (job.Time is not null && !TimeLimit().IsMatch(job.Time))
        {
            throw new ArgumentException($"--time '{job.Time}': expected a Slurm time limit: MINUTES, MM:SS, HH:MM:SS, DAYS-HH, DAYS-HH:MM or DAYS-HH:MM:SS");
        }

        if (job.OutputDirectory.Any(c => char.IsWhiteSpace(c) || c == '%'))
        {
            throw new ArgumentException($"--output '{job.OutputDirectory}': expected a folder whose path has no blank and no '%' (Slurm reads them in #SBATCH --output)");
        }
    }

    private static void Word(string option, string? value)
    {
        if (value is not null && !SlurmWord().IsMatch(value))
        {
            throw new ArgumentException($"{option} '{value}': expected letters, digits and . _ - , only");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._,-]+$")]
    private static partial Regex SlurmWord();

    [GeneratedRegex(@"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|unlimited|infinite)$")]
    private static partial Regex TimeLimit();
}
