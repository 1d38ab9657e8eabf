using System.Text.Json.Serialization;

namespace Sweeps.Actors.Messages;

/// <summary>
/// The coordinator's answer to <see cref="RecordEvent"/>: the event (trial, attempt, sequence) is in the store
/// (<see cref="EventOutcome.Recorded"/> now or <see cref="EventOutcome.Duplicate"/> before), or was
/// <see cref="EventOutcome.Rejected"/> as illegal (sending it again cannot make it legal). Either way the sender stops
/// sending it.
/// </summary>
/// <param name="TrialId">The event's trial.</param>
/// <param name="Attempt">The event's attempt.</param>
/// <param name="Sequence">The event's sequence.</param>
/// <param name="Outcome">What the coordinator did with it.</param>
public sealed record TrialEventRecorded(string TrialId, int Attempt, int Sequence, EventOutcome Outcome) : ISweepsMessage
{
    /// <summary>The key of the answered event.</summary>
    [JsonIgnore]
    public TrialEventKey Key => new(TrialId, Attempt, Sequence);
}
