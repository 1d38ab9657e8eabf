using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>Where a training step is in the run, and the run's random source.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Step">The step within the epoch, 1-based.</param>
/// <param name="StepsPerEpoch">Steps in every epoch.</param>
/// <param name="Progress">Training progress t in [0, 1]: optimizer steps done before this one over all steps of the
/// run (e.g. CR's ramp-up).</param>
/// <param name="Generator">The run's random source (CPU): seeded from the trial seed and checkpointed, so draws from it
/// are reproduced exactly on resume. Owned by the trainer.</param>
public sealed record StepInfo(int Epoch, int Step, int StepsPerEpoch, double Progress, Generator Generator);
