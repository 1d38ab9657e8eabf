namespace Sweeps.Actors.Messages;

/// <summary>To the coordinator (from its host) and from it to every slot: stop the sweep's running trials at their
/// next step (they checkpoint their last epoch and report <see cref="TrialCancelled"/>) and start no new ones.</summary>
/// <param name="Sweep">The sweep's name.</param>
/// <param name="At">When it was requested.</param>
public sealed record CancelSweep(string Sweep, DateTimeOffset At) : ISweepsMessage;
