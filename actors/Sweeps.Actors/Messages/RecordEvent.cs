namespace Sweeps.Actors.Messages;

/// <summary>From an experiment actor to the coordinator: persist and apply <paramref name="Event"/>. Sent again every
/// <see cref="SweepActorSettings.ResendInterval"/> until answered with <see cref="TrialEventRecorded"/>; one event of a
/// trial is in flight at a time, so they arrive in order.</summary>
/// <param name="Event">The event.</param>
public sealed record RecordEvent(TrialEvent Event) : ISweepsMessage;
