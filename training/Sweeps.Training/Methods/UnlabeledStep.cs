using Sweeps.Torch;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>
/// One step of a <see cref="LabelFreeMethod"/>: images only. There is deliberately no labels member, and the trainer
/// fills it from <c>DataLoader.UnlabeledEpoch</c>, whose batches carry no labels either: a label-free method cannot read
/// a label. Tensors are owned by the trainer.
/// </summary>
/// <param name="Images">Normalised, augmented images [N, C, H, W] on the device.</param>
/// <param name="Student">The model being trained, in training mode.</param>
/// <param name="Teacher">The frozen FP teacher (eval mode, no gradients) when the method asked for it, else null.</param>
/// <param name="Info">Position in the run and the random source.</param>
public sealed record UnlabeledStep(Tensor Images, ClassifierModel Student, ClassifierModel? Teacher, StepInfo Info);
