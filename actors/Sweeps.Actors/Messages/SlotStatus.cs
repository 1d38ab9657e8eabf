using System.Text.Json.Serialization;

namespace Sweeps.Actors.Messages;

/// <summary>
/// A slot tells the coordinator what it does, when that changes and every
/// <see cref="SweepActorSettings.StatusInterval"/>: idle (<see cref="TrialId"/> null: it asks for work, request number
/// <see cref="Ask"/>), or running <see cref="TrialId"/> attempt <see cref="Attempt"/>. The repeats make the protocol
/// independent of any single message arriving, and let a restarted coordinator learn which slot runs which trial.
/// </summary>
/// <param name="Node">The slot's process (<c>host/pid</c>).</param>
/// <param name="Slot">The slot's index on its node.</param>
/// <param name="Device">The slot's device (<c>cpu</c>, <c>cuda:N</c>).</param>
/// <param name="Ask">The slot's current request for work (counts up from 1, one per trial it accepted).</param>
/// <param name="TrialId">The trial it runs, or null when idle.</param>
/// <param name="Attempt">The attempt it runs (0 when idle).</param>
public sealed record SlotStatus(string Node, int Slot, string Device, int Ask, string? TrialId, int Attempt) : ISweepsMessage
{
    /// <summary>Whether the slot runs nothing and asks for work.</summary>
    [JsonIgnore]
    public bool IsIdle => TrialId is null;
}
