namespace Sweeps.Actors.Messages;

/// <summary>The identity of a <see cref="TrialEvent"/>: the same key twice is the same event.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt (from 1).</param>
/// <param name="Sequence">The event's position in the attempt.</param>
public readonly record struct TrialEventKey(string TrialId, int Attempt, int Sequence);
