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
    /// <summary>The name of the Prometheus targets file the job writes into its output folder.</summary>
    internal const string TargetsFile = "prometheus-targets.json";

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
        Line($"output={Quote(job.OutputDirectory)}");
        Line("# Remoting: the coordinator's port (sweeps.port), each worker's the next one; every node is a seed.");
        Line($"coordinator_port={I(job.CoordinatorPort)}");
        Line($"worker_port={I(job.WorkerPort)}");
        Line($"metrics_port={(job.MetricsPort is { } m ? I(m) : "off")}");
        Line($"worker_metrics_port={(job.WorkerMetricsPort is { } w ? I(w) : "off")}");
        Line();
        Line("log() { echo \"sweeps-slurm $(date -u +%FT%TZ): $*\"; }");
        Line("# A trapped signal ends `wait` early: wait again until the process has ended; returns its exit code.");
        Line("wait_for() {");
        Line("  local code");
        Line("  while true; do");
        Line("    wait \"$1\"");
        Line("    code=$?");
        Line("    kill -0 \"$1\" 2>/dev/null || return \"$code\"");
        Line("  done");
        Line("}");
        Line();
        Line("# SIGTERM (scancel, the time limit's --signal, a requeue, a preemption) cancels the sweep as `sweeps cancel`");
        Line("# does: the coordinator stops the running trials at their next step, checkpointed, and ends.");
        Line("coordinator= stopping=");
        Line("stop() {");
        Line("  stopping=1");
        Line("  log \"SIGTERM (scancel, time limit, preemption or requeue): cancelling the sweep (running trials stop checkpointed; submit again to resume)\"");
        Line("  [[ -n $coordinator ]] && kill -TERM \"$coordinator\" 2>/dev/null");
        Line("}");
        Line("trap stop TERM");
        Line();
        Line("mapfile -t nodes < <(scontrol show hostnames \"$SLURM_JOB_NODELIST\")");
        Line("first=${nodes[0]}");
        Line("seeds=$first:$coordinator_port");
        Line("for node in \"${nodes[@]}\"; do seeds+=,$node:$worker_port; done");
        Line("log \"job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on ${#nodes[@]} node(s): ${nodes[*]}; coordinator on $first; seeds $seeds\"");
        Line("if [[ $metrics_port != off ]]; then");
        Line("  # Prometheus file-based discovery: point a scrape job's file_sd_configs at this file.");
        Line("  workers_json=");
        Line("  for node in \"${nodes[@]}\"; do workers_json+=\"${workers_json:+, }\\\"$node:$worker_metrics_port\\\"\"; done");
        Line($"  cat > \"$output/{TargetsFile}\" <<EOF");
        Line("[");
        Line("  {\"targets\": [\"$first:$metrics_port\"], \"labels\": {\"job\": \"sweeps-coordinator\", \"slurm_job\": \"$SLURM_JOB_ID\"}},");
        Line("  {\"targets\": [$workers_json], \"labels\": {\"job\": \"sweeps-worker\", \"slurm_job\": \"$SLURM_JOB_ID\"}}");
        Line("]");
        Line("EOF");
        Line($"  log \"Prometheus targets (in $output/{TargetsFile}): $first:$metrics_port (coordinator), ${{nodes[*]/%/:$worker_metrics_port}} (workers)\"");
        Line("fi");
        Line("log \"follow the sweep: ${sweeps[*]} status $store\"");
        Line();
        Line("# The metrics endpoints listen on the address the node's name resolves to (the network Prometheus scrapes).");
        Line("coordinator_metrics=off");
        Line("[[ $metrics_port != off ]] && coordinator_metrics=$(getent ahostsv4 \"$first\" | awk 'NR == 1 { print $1 }'):$metrics_port");
        Line("\"${sweeps[@]}\" coordinator --config \"$config\" --sweep \"$sweep\" \\");
        Line("  --set \"hostname=$first\" --set \"port=$coordinator_port\" --set \"seed-nodes=$seeds\" --set \"metrics-address=$coordinator_metrics\" &");
        Line("coordinator=$!");
        Line("[[ -n $stopping ]] && kill -TERM \"$coordinator\"");
        Line();
        Line("# One worker per node; each names itself by its node's name (SLURMD_NODENAME) and takes the GPUs Slurm gave");
        Line("# its step as slots (the CPUs on a CPU-only partition).");
        Line("export worker_metrics_port");
        var gpus = job.GpusPerNode > 0 ? $" --gpus-per-node={I(job.GpusPerNode)}" : string.Empty;
        Line($"srun --ntasks-per-node=1 --kill-on-bad-exit=0{gpus} bash -c \\");
        Line("  'metrics=off");
        Line("   [[ $worker_metrics_port != off ]] && metrics=$(getent ahostsv4 \"$SLURMD_NODENAME\" | awk \"NR == 1 { print \\$1 }\"):$worker_metrics_port");
        Line("   exec \"$@\" --set \"hostname=$SLURMD_NODENAME\" --metrics \"$metrics\"' worker \\");
        Line($"  \"${{sweeps[@]}}\" worker --config \"$config\" --devices {Sweeps.Cluster.Slurm.SlurmDevices.Keyword} --set \"port=$worker_port\" --set \"seed-nodes=$seeds\" &");
        Line("workers=$!");
        Line();
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

        if (job.CoordinatorPort is < 1 or > 65534)
        {
            throw new ArgumentException($"sweeps.port {job.CoordinatorPort}: expected a fixed port 1..65534 (the coordinator's; each worker takes the next one)");
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
