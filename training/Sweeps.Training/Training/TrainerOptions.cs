using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Training;

/// <summary>One training run: what to train, on what, for how long, where the outputs go. The recipe (optimizer,
/// learning rates, batch size) comes from the method.</summary>
public sealed record TrainerOptions
{
    /// <summary>Model registry name (<c>resnet20</c>, <c>resnet32</c>, <c>vgg8</c>, <c>resnet18</c>, <c>mobilenetv2</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Dataset name as <c>Datasets.Load</c> takes it (<c>fashion-mnist</c>, <c>cifar10</c>, <c>synthetic</c>, ...).</summary>
    public required string Dataset { get; init; }

    /// <summary>Where the dataset's files are; null for the dataset's default.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>For image-folder datasets (<c>imagefolder</c>, <c>tiny-imagenet</c>): image size, bad-image policy and
    /// cache folder; null for the defaults.</summary>
    public ImageFolderOptions? Images { get; init; }

    /// <summary>Keep only the first N training samples (null: all).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Keep only the first N test samples (null: all).</summary>
    public int? TestLimit { get; init; }

    /// <summary>Method registry name (<c>fp</c>, <c>qat</c>, ...).</summary>
    public required string Method { get; init; }

    /// <summary>Weight/activation bit-widths of a quantized student (ignored by full-precision methods). Default W4A4.</summary>
    public BitWidths Bits { get; init; } = new(4, 4);

    /// <summary>Quantizer family of a quantized student. Default EWGS.</summary>
    public QuantizerKind Quantizer { get; init; } = QuantizerKind.Ewgs;

    /// <summary>Per-role bits (first/last layer at 8 bits); null is <see cref="QuantizationPolicy.Default"/>.</summary>
    public QuantizationPolicy? Policy { get; init; }

    /// <summary>Epochs to train (the sweep's budget), at least 1.</summary>
    public required int Epochs { get; init; }

    /// <summary>Trial seed: model initialisation, data order and augmentation, the method's random source.</summary>
    public long Seed { get; init; }

    /// <summary>Device of the models and batches (<c>cpu</c>, <c>cuda:N</c>; see <see cref="Sweeps.Torch.Device.Parse"/>).</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>State-dict file of the FP teacher (an <c>fp</c> run's <c>model.pt</c>); required by methods whose
    /// student starts from the teacher or that use a frozen teacher.</summary>
    public string? TeacherCheckpoint { get; init; }

    /// <summary>Where metrics, checkpoints and the final model go (created if missing).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Overrides the recipe's batch size (tests, small devices); null keeps the recipe's.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Batch size of test-set evaluation; null uses the training batch size.</summary>
    public int? EvaluationBatchSize { get; init; }

    /// <summary>libtorch intra-op threads (process-wide); null for all cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Whether EWGS quantizers get Hutchinson delta updates (METHODS.md; default true). False trains with
    /// plain STE (delta = 0), as SQAKD's public code does.</summary>
    public bool EwgsDeltaUpdate { get; init; } = true;

    /// <summary>Whether a checkpoint in <see cref="OutputDirectory"/> is resumed (default true); false starts over and
    /// replaces the directory's outputs.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>Training augmentation (random crop with padding, horizontal flip). Default true.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Batches the loader prepares ahead on a background thread (0..4). Default 2.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>
    /// Whether a CPU run trains in channels-last (NHWC) memory format: 4-D weights (convolution kernels) are converted
    /// once when the models are built and loaded, and the loader writes batches in that layout (oneDNN's convolutions
    /// are faster in it). Values, checkpoints and <c>model.pt</c> are the same either way (files hold the standard
    /// layout), so a run resumes in either format. A CUDA run always keeps NCHW. Null (the default) follows the
    /// environment variable <c>SWEEPS_CHANNELS_LAST</c> (<see cref="Trainer.ChannelsLastVariable"/>): on unless it is
    /// <c>0</c>; the trainer reports the format it used in <c>final.json</c>'s <c>memory_format</c>.
    /// </summary>
    public bool? ChannelsLast { get; init; }
}
