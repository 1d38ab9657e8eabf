using Sweeps.Actors.Planning;

namespace Sweeps.Cluster;

/// <summary>What <c>EmbeddedSweepHost.RunAsync</c> runs, and where.</summary>
public sealed record SweepRunOptions
{
    /// <summary>The validated sweep file.</summary>
    public required SweepDefinition Definition { get; init; }

    /// <summary>The sweep file as the user named it (recorded in results.json).</summary>
    public required string SweepFile { get; init; }

    /// <summary>The sweep file's text (copied to <c>sweep.yaml</c> in the output folder).</summary>
    public required string SweepText { get; init; }

    /// <summary>The output folder (created if missing).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Devices of the slots (the sweep file's, or every local device).</summary>
    public required IReadOnlyList<string> Devices { get; init; }

    /// <summary>Versions recorded in results.json (<c>sweeps</c>, <c>libtorch</c>, <c>dotnet</c>).</summary>
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();

    /// <summary>CPU cores shared by the CPU slots (default: this machine's).</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>Called once the coordinator exists, with a way to read its current state (progress views).</summary>
    public Action<Func<Sweeps.Actors.State.SweepState>>? AttachState { get; init; }

    /// <summary>How often a cancel request in the store is looked for.</summary>
    public TimeSpan CancelPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Results files are rewritten at most this often while the sweep runs (and once at the end).</summary>
    public TimeSpan ResultsInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Prometheus metrics to update while the sweep runs (served by the caller's /metrics endpoint); null for
    /// none. Not owned.</summary>
    public Sweeps.Monitoring.SweepMetrics? Metrics { get; init; }
}
