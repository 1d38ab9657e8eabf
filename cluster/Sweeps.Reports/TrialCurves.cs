namespace Sweeps.Reports;

/// <summary>A trial's metrics.jsonl, read leniently: a line that does not parse is counted, not fatal (a trial that
/// is still running may leave a torn last line).</summary>
/// <param name="Path">The file (absolute).</param>
/// <param name="Exists">Whether the file exists.</param>
/// <param name="Points">The epochs, in epoch order; the last line of an epoch wins.</param>
/// <param name="SkippedLines">Lines that were not a JSON object with an integer <c>epoch</c>.</param>
internal sealed record TrialCurves(string Path, bool Exists, IReadOnlyList<EpochPoint> Points, int SkippedLines);
