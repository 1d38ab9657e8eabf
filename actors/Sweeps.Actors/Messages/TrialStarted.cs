namespace Sweeps.Actors.Messages;

/// <summary>An experiment actor took the trial on a device slot (always sequence 1 of its attempt).</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Sequence">1.</param>
/// <param name="At">When.</param>
/// <param name="Node">The host that runs it.</param>
/// <param name="Device">The device (<c>cpu</c>, <c>cuda:N</c>).</param>
public sealed record TrialStarted(string TrialId, int Attempt, int Sequence, DateTimeOffset At, string Node, string Device)
    : TrialEvent(TrialId, Attempt, Sequence, At);
