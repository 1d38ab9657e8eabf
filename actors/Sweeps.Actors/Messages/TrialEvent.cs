using System.Text.Json.Serialization;

namespace Sweeps.Actors.Messages;

/// <summary>
/// An event in a trial's life, from the experiment actor that runs it (or, for <see cref="TrialRequeued"/>, from the
/// coordinator). (<see cref="TrialId"/>, <see cref="Attempt"/>, <see cref="Sequence"/>) identifies it: the store
/// records each at most once. Attempts count from 1; within an attempt the actor numbers its events 1, 2, ...
/// (<see cref="TrialStarted"/> is 1); sequence 0 of attempt k is the coordinator's requeue that prepares attempt k.
/// </summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">Which run of the trial (1 = first).</param>
/// <param name="Sequence">Position of the event within the attempt.</param>
/// <param name="At">When it happened (UTC).</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TrialStarted), "started")]
[JsonDerivedType(typeof(TrialEpochCompleted), "epoch")]
[JsonDerivedType(typeof(TrialCompleted), "completed")]
[JsonDerivedType(typeof(TrialFailed), "failed")]
[JsonDerivedType(typeof(TrialCancelled), "cancelled")]
[JsonDerivedType(typeof(TrialRequeued), "requeued")]
public abstract record TrialEvent(string TrialId, int Attempt, int Sequence, DateTimeOffset At)
{
    /// <summary>The identity the store deduplicates on.</summary>
    [JsonIgnore]
    public TrialEventKey Key => new(TrialId, Attempt, Sequence);

    /// <summary>
    /// When the attempt began to run on its slot, on the events its experiment actor sends; null on the coordinator's
    /// own (<see cref="TrialStarted"/>, <see cref="TrialRequeued"/>) and in stores written before it existed. A slot
    /// is handed its next trial (and the coordinator records <see cref="TrialStarted"/>) shortly before its running
    /// trial ends; the attempt's run time counts from this instead (<see cref="State.SweepState.Apply"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Began { get; init; }
}
