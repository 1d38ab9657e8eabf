using Sweeps.Torch;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>One step of a <see cref="LabeledMethod"/>: a batch of images with labels. Tensors are owned by the trainer.</summary>
/// <param name="Images">Normalised, augmented images [N, C, H, W] on the device.</param>
/// <param name="Labels">Class labels [N], int64.</param>
/// <param name="Student">The model being trained, in training mode (use <see cref="ClassifierModel.ForwardWithFeatures"/>
/// for features and stage outputs).</param>
/// <param name="Teacher">The frozen FP teacher (eval mode, no gradients) when the method asked for it, else null.</param>
/// <param name="Info">Position in the run and the random source.</param>
public sealed record LabeledStep(Tensor Images, Tensor Labels, ClassifierModel Student, ClassifierModel? Teacher, StepInfo Info);
