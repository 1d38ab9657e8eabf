namespace Sweeps.Actors;

/// <summary>A training step of a trial in progress.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">The step within the epoch, 1-based.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="Loss">The step's loss.</param>
public sealed record StepReport(int Epoch, int Epochs, int Step, int Steps, double Loss);
