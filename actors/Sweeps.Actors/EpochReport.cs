namespace Sweeps.Actors;

/// <summary>One finished epoch of a trial.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="TestTop1">Test top-1, a fraction 0..1.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
/// <param name="Seconds">Seconds the epoch took.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double TestTop1, double SamplesPerSecond, double Seconds);
