using System.Globalization;

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

    /// <summary>At most this many seconds before the time limit, Slurm tells the job to stop (<c>--signal=B:TERM@N</c>):
    /// the sweep is cancelled, running trials stop checkpointed, and the sweep stays resumable.</summary>
    public const int StopBeforeTimeLimitMaxSeconds = 180;

    /// <summary>Seconds before the time limit at which Slurm tells the job to stop: <see cref="StopBeforeTimeLimitMaxSeconds"/>,
    /// or a quarter of a shorter <see cref="Time"/> (at least 10 s). Slurm may send it up to a minute earlier.</summary>
    public int StopBeforeTimeLimitSeconds =>
        TimeLimitSeconds(Time) is { } limit ? Math.Clamp(limit / 4, 10, StopBeforeTimeLimitMaxSeconds) : StopBeforeTimeLimitMaxSeconds;

    /// <summary>The job's name: <c>sweeps-</c> and the sweep's name.</summary>
    public string JobName => "sweeps-" + SweepName;

    /// <summary>The batch script's path: <c>OUTPUT/sweeps-NAME.sbatch</c>.</summary>
    public string ScriptPath => Path.Combine(OutputDirectory, JobName + ".sbatch");

    /// <summary>A Slurm time limit in seconds (<c>MINUTES</c>, <c>MINUTES:SECONDS</c>, <c>HOURS:MINUTES:SECONDS</c>,
    /// <c>DAYS-HOURS</c>, <c>DAYS-HOURS:MINUTES</c>, <c>DAYS-HOURS:MINUTES:SECONDS</c>); null for none, unlimited or
    /// text in another form.</summary>
    internal static int? TimeLimitSeconds(string? time)
    {
        if (time is null)
        {
            return null;
        }

        var days = 0L;
        var rest = time;
        var dash = time.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            if (!long.TryParse(time[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out days))
            {
                return null;
            }

            rest = time[(dash + 1)..];
        }

        var parts = new List<long>();
        foreach (var part in rest.Split(':'))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return null;
            }

            parts.Add(n);
        }

        // Without days: M, M:S, H:M:S. With days: D-H, D-H:M, D-H:M:S.
        long seconds = (dash >= 0, parts.Count) switch
        {
            (false, 1) => parts[0] * 60,
            (false, 2) => (parts[0] * 60) + parts[1],
            (false, 3) => (parts[0] * 3600) + (parts[1] * 60) + parts[2],
            (true, 1) => parts[0] * 3600,
            (true, 2) => (parts[0] * 3600) + (parts[1] * 60),
            (true, 3) => (parts[0] * 3600) + (parts[1] * 60) + parts[2],
            _ => -1,
        };
        return seconds < 0 ? null : (int)Math.Min(int.MaxValue, (days * 86400) + seconds);
    }
}
