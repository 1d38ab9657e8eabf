using Sweeps.Torch;

namespace Sweeps.Training.Data;

/// <summary>How a <see cref="DataLoader"/> batches, shuffles and augments a dataset.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch (the last batch may be smaller unless <see cref="DropLast"/>). Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Whether each epoch visits the samples in a seeded random order (else in dataset order). Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Whether to drop the last batch when it is smaller than <see cref="BatchSize"/>. Default false.</summary>
    public bool DropLast { get; init; }

    /// <summary>Whether to apply training augmentation: a random crop with zero padding
    /// (<see cref="CropPadding"/>) and, when <see cref="HorizontalFlip"/>, a horizontal flip with p = 0.5. Default false.</summary>
    public bool Augment { get; init; }

    /// <summary>Zero padding of the random crop, in pixels; null picks 4 for images of 32 pixels or more,
    /// else 2 (Fashion-MNIST/MNIST 28 x 28), as in METHODS.md.</summary>
    public int? CropPadding { get; init; }

    /// <summary>Whether augmentation includes the random horizontal flip. Default true.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>The trial seed. Epoch e shuffles and augments from seed + e, so an epoch's batches do not depend
    /// on earlier epochs having run (a resumed run sees the same batches).</summary>
    public long Seed { get; init; }

    /// <summary>Where the batch tensors are created. Default CPU.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>The memory format of the image tensors: <see cref="MemoryFormat.Contiguous"/> (NCHW, the default) or
    /// <see cref="MemoryFormat.ChannelsLast"/> (NHWC strides, written in that order: no extra copy). Shapes and values
    /// are the same in both.</summary>
    public MemoryFormat MemoryFormat { get; init; } = MemoryFormat.Contiguous;

    /// <summary>How many batches a background thread prepares ahead of the consumer (0: none, batches are built
    /// on the consumer's thread when asked for; at most 4). Default 2.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Options for training: shuffled, augmented.</summary>
    public static DataLoaderOptions Training(int batchSize, long seed, Device device) =>
        new() { BatchSize = batchSize, Seed = seed, Device = device, Shuffle = true, Augment = true };

    /// <summary>Options for evaluation: dataset order, no augmentation, every sample.</summary>
    public static DataLoaderOptions Evaluation(int batchSize, Device device) =>
        new() { BatchSize = batchSize, Device = device, Shuffle = false, Augment = false };
}
