using Sweeps.Torch;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>What <see cref="TrainingMethod.Initialize"/> sees, once, after the models are built and placed on the
/// device and before the optimizer is created (so parameters created here can join it).</summary>
/// <param name="Student">The model being trained (owned by the trainer).</param>
/// <param name="Teacher">The frozen FP teacher when <see cref="MethodRequirements.FrozenTeacher"/>, else null (owned by the trainer).</param>
/// <param name="Device">Where the models and batches live.</param>
/// <param name="ClassCount">Number of classes.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="StepsPerEpoch">Optimizer steps per epoch.</param>
/// <param name="Generator">The run's checkpointed random source (owned by the trainer).</param>
/// <param name="CreateStudentModel">Creates a new model of the student's architecture with the student's layers
/// (same quantizer kind and bit-widths), on the CPU, with throw-away initial weights and uninitialised quantizers, in
/// training mode; the caller owns it (e.g. CR's EMA teacher) and places it with <see cref="Place"/>. It does not draw
/// from <paramref name="Generator"/>.</param>
public sealed record MethodSetup(
    ClassifierModel Student,
    ClassifierModel? Teacher,
    Device Device,
    int ClassCount,
    int Epochs,
    int StepsPerEpoch,
    Generator Generator,
    Func<ClassifierModel> CreateStudentModel)
{
    /// <summary>The memory format of the run's models and batches (channels-last for CPU training by default; see
    /// <see cref="Training.TrainerOptions.ChannelsLast"/>). Default <see cref="MemoryFormat.Contiguous"/>.</summary>
    public MemoryFormat MemoryFormat { get; init; } = MemoryFormat.Contiguous;

    /// <summary>Moves a model the method built (e.g. from <see cref="CreateStudentModel"/>) to the run's device and memory
    /// format, as the trainer placed the student and the teacher.</summary>
    /// <returns>The model.</returns>
    public ClassifierModel Place(ClassifierModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.To(Device);
        model.To(MemoryFormat);
        return model;
    }
}
