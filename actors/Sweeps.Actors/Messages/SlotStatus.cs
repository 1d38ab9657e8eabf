using System.Text.Json.Serialization;

namespace Sweeps.Actors.Messages;

/// <summary>
/// A slot tells the coordinator what it holds and whether it wants a trial, when that changes and every
/// <see cref="SweepActorSettings.StatusInterval"/>. The repeats make the protocol independent of any single message
/// arriving, and let a restarted coordinator learn which attempts are still alive and where.
/// </summary>
/// <param name="Node">The slot's process (<c>host/pid</c>), as in <see cref="TrialStarted.Node"/>.</param>
/// <param name="Slot">The slot's index on its node.</param>
/// <param name="Slots">How many slots its node has (a restarted coordinator waits until it heard from each).</param>
/// <param name="Device">The slot's device (<c>cpu</c>, <c>cuda:N</c>).</param>
/// <param name="Ask">The slot's current request number (counts up from 1, one per trial it accepted): a
/// <see cref="RunTrial"/> is taken only when it answers this request.</param>
/// <param name="Wants">Whether it asks for a trial now: it is idle, or its running trial is about to end and nothing
/// is queued behind it.</param>
/// <param name="Running">The attempt it trains, or null.</param>
/// <param name="Next">The attempt it accepted to run once <paramref name="Running"/> ends, or null.</param>
/// <param name="Finishing">Attempts whose training ended but whose last event the coordinator has not answered yet.</param>
public sealed record SlotStatus(
    string Node, int Slot, int Slots, string Device, int Ask, bool Wants, TrialAttempt? Running, TrialAttempt? Next, IReadOnlyList<TrialAttempt> Finishing)
    : ISweepsMessage
{
    /// <summary>Whether the slot neither trains nor has a trial queued.</summary>
    [JsonIgnore]
    public bool IsIdle => Running is null && Next is null;

    /// <summary>Every attempt it holds: running, next, finishing.</summary>
    [JsonIgnore]
    public IEnumerable<TrialAttempt> Holds =>
        (Running is { } r ? [r] : Array.Empty<TrialAttempt>()).Concat(Next is { } n ? [n] : []).Concat(Finishing);

    /// <summary>Equal when every field is, <see cref="Finishing"/> element by element.</summary>
    public bool Equals(SlotStatus? other) =>
        other is not null && Node == other.Node && Slot == other.Slot && Slots == other.Slots && Device == other.Device && Ask == other.Ask
        && Wants == other.Wants && Running == other.Running && Next == other.Next && Finishing.SequenceEqual(other.Finishing);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Node, Slot, Ask, Running, Next, Finishing.Count);
}
