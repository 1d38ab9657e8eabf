namespace Sweeps.Actors.Messages;

/// <summary>The coordinator made an interrupted (running when its process died) or cancelled trial pending again,
/// to be resumed from its checkpoint as <see cref="TrialEvent.Attempt"/>; always sequence 0.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt it prepares (the previous one + 1).</param>
/// <param name="Sequence">0.</param>
/// <param name="At">When.</param>
public sealed record TrialRequeued(string TrialId, int Attempt, int Sequence, DateTimeOffset At)
    : TrialEvent(TrialId, Attempt, Sequence, At);
