namespace Sweeps.Actors.Messages;

/// <summary>
/// The coordinator's answer to a trial event sent as a request: the event (trial, attempt, sequence) is in the
/// store (<see cref="EventOutcome.Recorded"/> now or <see cref="EventOutcome.Duplicate"/> before), or was
/// <see cref="EventOutcome.Rejected"/> as illegal.
/// </summary>
/// <param name="TrialId">The event's trial.</param>
/// <param name="Attempt">The event's attempt.</param>
/// <param name="Sequence">The event's sequence.</param>
/// <param name="Outcome">What the coordinator did with it.</param>
public sealed record TrialEventRecorded(string TrialId, int Attempt, int Sequence, EventOutcome Outcome);
