namespace Sweeps.Actors.Messages;

/// <summary>The trial stopped on cancellation; its last epoch checkpoint is kept and a later run resumes it.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Sequence">Position in the attempt (the last).</param>
/// <param name="At">When.</param>
public sealed record TrialCancelled(string TrialId, int Attempt, int Sequence, DateTimeOffset At)
    : TrialEvent(TrialId, Attempt, Sequence, At);
