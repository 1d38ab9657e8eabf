namespace Sweeps.Cli.Slurm;

/// <summary>
/// What one Slurm job of a cluster sweep runs and asks for: <see cref="SbatchScript.Render"/> turns it into the batch
/// script. Paths are absolute and must be the same on every node (a shared file system).
/// </summary>
internal sealed record SlurmJob
{
    /// <summary>The sweep's name (the job is named <c>sweeps-NAME</c>).</summary>
    public required string SweepName { get; init; }

    /// <summary>Nodes of the allocation (&gt;= 1): one worker on each, the coordinator on the first.</summary>
    public required int Nodes { get; init; }

    /// <summary>GPUs per node (&gt;= 0); 0: a CPU-only partition, whole nodes, one slot per CPU.</summary>
    public required int GpusPerNode { get; init; }

    /// <summary><c>--partition</c>, or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary><c>--time</c> (Slurm's formats: <c>MM</c>, <c>HH:MM:SS</c>, <c>D-HH</c>, ...), or null for the partition's default.</summary>
    public string? Time { get; init; }

    /// <summary><c>--account</c>, or null.</summary>
    public string? Account { get; init; }

    /// <summary>Where the job's log (<c>sweeps-JOBID.out</c>) and the batch script go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The command that runs the Sweeps CLI on a node (e.g. <c>/usr/bin/dotnet /opt/sweeps/Sweeps.Cli.dll</c>).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The cluster configuration (<c>cluster.hocon</c>).</summary>
    public required string ConfigFile { get; init; }

    /// <summary>The sweep file.</summary>
    public required string SweepFile { get; init; }

    /// <summary>The coordinator's store folder (in the shared folder): <c>sweeps status</c> and <c>sweeps cancel</c> read it.</summary>
    public required string StoreDirectory { get; init; }

    /// <summary>The coordinator's remoting port (on the first node): the configuration's <c>sweeps.port</c>.</summary>
    public required int CoordinatorPort { get; init; }

    /// <summary>Every worker's remoting port (one worker per node): the coordinator's port + 1.</summary>
    public int WorkerPort => CoordinatorPort + 1;

    /// <summary>The port of the coordinator's <c>/metrics</c> (on the first node), or null when the configuration
    /// turns metrics off.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>The port of each worker's <c>/metrics</c>: the coordinator's + 1 (null: off).</summary>
    public int? WorkerMetricsPort => MetricsPort + 1;

    /// <summary>Seconds before the time limit at which Slurm tells the job to stop (<c>--signal=B:TERM@N</c>): running
    /// trials checkpoint and the sweep stays resumable.</summary>
    public int StopBeforeTimeLimitSeconds { get; init; } = 180;

    /// <summary>The job's name: <c>sweeps-</c> and the sweep's name.</summary>
    public string JobName => "sweeps-" + SweepName;

    /// <summary>The batch script's path: <c>OUTPUT/sweeps-NAME.sbatch</c>.</summary>
    public string ScriptPath => Path.Combine(OutputDirectory, JobName + ".sbatch");
}
