namespace Sweeps.Actors.Messages;

/// <summary>The trial finished: its summary (the trainer's <c>final.json</c>). Accuracies are fractions 0..1; all
/// result fields are null for the sleeping kind.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Sequence">Position in the attempt (the last).</param>
/// <param name="At">When.</param>
/// <param name="BestTop1">Best test top-1.</param>
/// <param name="BestEpoch">Epoch (1-based) of the best.</param>
/// <param name="LastTop1">Test top-1 after the last epoch.</param>
/// <param name="MeanLast5Top1">Mean test top-1 of the last min(5, epochs) epochs.</param>
/// <param name="ModelSizeBits">Weights x bit-width.</param>
/// <param name="EwgsDelta"><c>hutchinson</c>, <c>ste</c> or <c>none</c>, as final.json says.</param>
/// <param name="Recipe">final.json's recipe object, as JSON text.</param>
/// <param name="ResumedAfterEpoch">The epoch this attempt resumed after, or null.</param>
public sealed record TrialCompleted(
    string TrialId, int Attempt, int Sequence, DateTimeOffset At, double? BestTop1, int? BestEpoch, double? LastTop1, double? MeanLast5Top1,
    long? ModelSizeBits, string? EwgsDelta, string? Recipe, int? ResumedAfterEpoch)
    : TrialEvent(TrialId, Attempt, Sequence, At)
{
    /// <summary>Where an FP teacher's result came from when it was not simply trained by this trial: "reused from DIR
    /// (sweep S, trial T, on HOST)" (the teacher cache), "pretrained, from FILE" (the sweep file's <c>teachers:</c>), or
    /// what kept a trained teacher out of the cache; null otherwise.</summary>
    public string? Source { get; init; }
}
