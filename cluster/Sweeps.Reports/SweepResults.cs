namespace Sweeps.Reports;

/// <summary>A sweep output folder as the report sees it: results.json, the sweep file and the trial folders.</summary>
internal sealed record SweepResults
{
    /// <summary>The sweep folder (absolute).</summary>
    public required string Directory { get; init; }

    public required SweepInfo Sweep { get; init; }

    /// <summary>The trials in results.json's order.</summary>
    public required IReadOnlyList<TrialRecord> Trials { get; init; }

    /// <summary>sweep.yaml verbatim, or null when the folder has none.</summary>
    public string? SweepFile { get; init; }

    /// <summary>The per-epoch curves of each trial by id (empty when the trial has no metrics.jsonl yet).</summary>
    public required IReadOnlyDictionary<string, TrialCurves> Curves { get; init; }
}
