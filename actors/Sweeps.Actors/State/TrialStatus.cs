namespace Sweeps.Actors.State;

/// <summary>Where a trial is in its life: Pending -> Running -> Completed | Failed | Cancelled; a re-run makes an
/// interrupted Running or a Cancelled trial Pending again (resumable).</summary>
public enum TrialStatus
{
    /// <summary>Not started, or waiting to be resumed.</summary>
    Pending,

    /// <summary>An actor runs it.</summary>
    Running,

    /// <summary>Finished; results recorded.</summary>
    Completed,

    /// <summary>Failed; the reason is recorded.</summary>
    Failed,

    /// <summary>Stopped on request; resumable by a later run.</summary>
    Cancelled,
}
