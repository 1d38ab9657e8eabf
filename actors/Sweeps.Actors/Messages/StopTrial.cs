namespace Sweeps.Actors.Messages;

/// <summary>From the coordinator to a slot that reports running an attempt the coordinator no longer expects (it was
/// requeued, or the trial ended): stop it without reporting anything.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The stale attempt.</param>
public sealed record StopTrial(string TrialId, int Attempt) : ISweepsMessage;
