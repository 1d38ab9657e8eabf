namespace Sweeps.Actors.Messages;

/// <summary>The trial failed (NaN loss, bad input, missing data); the sweep goes on.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Sequence">Position in the attempt (the last).</param>
/// <param name="At">When.</param>
/// <param name="Error">The reason, e.g. "loss is NaN at epoch 1 step 3".</param>
public sealed record TrialFailed(string TrialId, int Attempt, int Sequence, DateTimeOffset At, string Error)
    : TrialEvent(TrialId, Attempt, Sequence, At);
