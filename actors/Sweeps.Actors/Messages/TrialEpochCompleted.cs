namespace Sweeps.Actors.Messages;

/// <summary>An epoch ended and was checkpointed (the full metrics are in the trial's <c>metrics.jsonl</c>).</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Sequence">Position in the attempt.</param>
/// <param name="At">When.</param>
/// <param name="Epoch">The epoch that ended, 1-based.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainLoss">Mean training loss of the epoch.</param>
/// <param name="TestTop1">Test top-1 after the epoch, a fraction 0..1.</param>
/// <param name="Seconds">Seconds the epoch took (training and evaluation).</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
public sealed record TrialEpochCompleted(
    string TrialId, int Attempt, int Sequence, DateTimeOffset At, int Epoch, int Epochs, double TrainLoss, double TestTop1, double Seconds, double SamplesPerSecond)
    : TrialEvent(TrialId, Attempt, Sequence, At);
