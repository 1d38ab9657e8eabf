using Sweeps.Torch;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>One step of a <see cref="TwoViewMethod"/>: two independently augmented views of the same samples and their
/// labels. Tensors are owned by the trainer.</summary>
/// <param name="View1">First view [N, C, H, W].</param>
/// <param name="View2">Second view of the same samples, in the same order.</param>
/// <param name="Labels">Class labels [N], int64.</param>
/// <param name="Student">The model being trained, in training mode.</param>
/// <param name="Teacher">The frozen FP teacher (eval mode, no gradients) when the method asked for it, else null.</param>
/// <param name="Info">Position in the run and the random source.</param>
public sealed record TwoViewStep(Tensor View1, Tensor View2, Tensor Labels, ClassifierModel Student, ClassifierModel? Teacher, StepInfo Info);
