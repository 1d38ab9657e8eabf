namespace Sweeps.Training.Training;

/// <summary>Progress of one finished training step.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Step">The step within the epoch, 1-based.</param>
/// <param name="StepsPerEpoch">Steps in every epoch.</param>
/// <param name="Loss">The step's loss (sum of its terms).</param>
public sealed record StepProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss);
