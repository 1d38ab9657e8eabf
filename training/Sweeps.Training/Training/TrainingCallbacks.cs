namespace Sweeps.Training.Training;

/// <summary>Progress callbacks of a run, called on the training thread (keep them short; an exception thrown by one
/// fails the run).</summary>
public sealed record TrainingCallbacks
{
    /// <summary>Called after every optimizer step.</summary>
    public Action<StepProgress>? Step { get; init; }

    /// <summary>Called after every epoch, once its metrics are logged and its checkpoint is written.</summary>
    public Action<EpochMetrics>? Epoch { get; init; }
}
