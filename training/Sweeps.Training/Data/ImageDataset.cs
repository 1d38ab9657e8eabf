using System.Globalization;

namespace Sweeps.Training.Data;

/// <summary>
/// An image classification dataset held in memory: <see cref="Count"/> images of
/// <see cref="Channels"/> x <see cref="Height"/> x <see cref="Width"/> bytes (row-major, channel
/// planes first, N x C x H x W overall) and one int64 label in [0, <see cref="ClassCount"/>) per image.
/// Immutable and safe to share between threads and loaders.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[] _pixels;
    private readonly long[] _labels;

    /// <summary>Creates a dataset over the given arrays, which it takes over (they are not copied: do not modify them afterwards).</summary>
    /// <param name="name">A short name for reports (e.g. <c>fashion-mnist</c>).</param>
    /// <param name="pixels">N x C x H x W bytes.</param>
    /// <param name="labels">N labels, each in [0, classCount).</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="normalization">The per-channel mean and std used to turn bytes into network inputs.</param>
    /// <exception cref="ArgumentException">Sizes disagree, a dimension is not positive, a label is out of range,
    /// or the normalisation has another channel count.</exception>
    public ImageDataset(string name, byte[] pixels, long[] labels, int channels, int height, int width, int classCount, ChannelNormalization normalization)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(normalization);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var imageSize = (long)channels * height * width;
        if (pixels.LongLength != imageSize * labels.LongLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{labels.Length} labels of {channels}x{height}x{width} images need {imageSize * labels.LongLength} pixel bytes, found {pixels.LongLength}"),
                nameof(pixels));
        }

        if (normalization.Channels != channels)
        {
            throw new ArgumentException($"the normalisation has {normalization.Channels} channels, the images {channels}", nameof(normalization));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"label {labels[i]} of sample {i} is out of range: expected 0..{classCount - 1}"),
                    nameof(labels));
            }
        }

        Name = name;
        _pixels = pixels;
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
        Normalization = normalization;
    }

    /// <summary>A short name for reports (e.g. <c>fashion-mnist</c>, <c>cifar10</c>).</summary>
    public string Name { get; }

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Bytes per image (C x H x W).</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Number of classes; labels lie in [0, ClassCount).</summary>
    public int ClassCount { get; }

    /// <summary>The per-channel mean and std of this dataset's inputs.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>Images of the source left out because they could not be read (image folders with
    /// <c>skip_bad_images</c>); 0 otherwise.</summary>
    public int SkippedImages { get; init; }

    /// <summary>All pixels, N x C x H x W bytes.</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>All labels, N values.</summary>
    public ReadOnlyMemory<long> Labels => _labels;

    internal byte[] PixelArray => _pixels;

    internal long[] LabelArray => _labels;

    /// <summary>The bytes of image <paramref name="index"/> (C x H x W).</summary>
    public ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _pixels.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public long GetLabel(int index) => _labels[index];

    /// <summary>How many samples each class has (index = class).</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var label in _labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>The first <paramref name="count"/> samples (this dataset itself when it has no more).</summary>
    public ImageDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count >= Count)
        {
            return this;
        }

        return new ImageDataset(Name, _pixels.AsSpan(0, count * ImageSize).ToArray(), _labels.AsSpan(0, count).ToArray(), Channels, Height, Width, ClassCount, Normalization)
        {
            SkippedImages = SkippedImages,
        };
    }

    /// <summary>Name, size and shape, e.g. <c>fashion-mnist: 60000 x 1x28x28, 10 classes</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}: {Count} x {Channels}x{Height}x{Width}, {ClassCount} classes");
}
