namespace Sweeps.Training.Methods;

/// <summary>What a method needs the trainer to build before training (the batch kind is fixed by the method's base
/// class, see <see cref="MethodInput"/>).</summary>
public sealed record MethodRequirements
{
    /// <summary>The full-precision baseline: an FP student from random initialisation, no teacher.</summary>
    public static MethodRequirements FullPrecision { get; } = new() { QuantizedStudent = false, StudentFromTeacher = false };

    /// <summary>A quantized student initialised from the teacher's checkpoint, no frozen teacher in the loss.</summary>
    public static MethodRequirements QuantizedFromTeacher { get; } = new();

    /// <summary>A quantized student initialised from the teacher's checkpoint, plus the frozen teacher for the loss.</summary>
    public static MethodRequirements QuantizedWithTeacher { get; } = new() { FrozenTeacher = true };

    /// <summary>Whether the student is built with the trial's quantizer and bit-widths (else full precision). Default true.</summary>
    public bool QuantizedStudent { get; init; } = true;

    /// <summary>Whether the student starts from the teacher checkpoint's weights (the trainer then requires
    /// <c>TrainerOptions.TeacherCheckpoint</c>). Default true.</summary>
    public bool StudentFromTeacher { get; init; } = true;

    /// <summary>Whether the loss needs the frozen full-precision teacher (eval mode, no gradients) in every step. Default false.</summary>
    public bool FrozenTeacher { get; init; }
}
