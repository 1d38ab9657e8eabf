using System.Buffers.Binary;
using static Sweeps.Training.Data.DataFiles;

namespace Sweeps.Training.Data;

/// <summary>
/// Reads MNIST-style IDX files (MNIST, Fashion-MNIST): <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>,
/// each raw or gzipped (<c>.gz</c>; gzip is recognised by its signature).
/// </summary>
/// <remarks>
/// Images: big-endian header magic 2051 (0x00000803: unsigned bytes, 3 dimensions), count, rows,
/// columns, then count x rows x columns bytes. Labels: magic 2049 (0x00000801), count, then count bytes.
/// Every file is read and checked in full (magic numbers, dimensions, exact length, label range,
/// counts agreeing) before <c>limit</c> keeps the first samples in file order.
/// Every problem is a <see cref="DatasetException"/> naming the file.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (3 dimensions).</summary>
    public const int ImagesMagic = 2051;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (1 dimension).</summary>
    public const int LabelsMagic = 2049;

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs Fashion-MNIST.</summary>
    public const string DefaultFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The default MNIST directory (no Debian package ships MNIST; copy the IDX files there or pass a directory).</summary>
    public const string DefaultMnistDirectory = "/usr/share/datasets/mnist";

    /// <summary>Fashion-MNIST (10 classes, 1 x 28 x 28, normalisation <see cref="ChannelNormalization.FashionMnist"/>).</summary>
    /// <param name="split">Train (60000 samples) or test (10000).</param>
    /// <param name="directory">Where the IDX files are; default <see cref="DefaultFashionMnistDirectory"/>.</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">A directory or file is missing or malformed.</exception>
    public static ImageDataset FashionMnist(DatasetSplit split, string? directory = null, int? limit = null) =>
        Read(directory ?? DefaultFashionMnistDirectory, split, "fashion-mnist", 10, ChannelNormalization.FashionMnist, limit);

    /// <summary>MNIST (10 classes, 1 x 28 x 28, normalisation <see cref="ChannelNormalization.Mnist"/>).</summary>
    /// <param name="split">Train (60000 samples) or test (10000).</param>
    /// <param name="directory">Where the IDX files are; default <see cref="DefaultMnistDirectory"/>.</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">A directory or file is missing or malformed.</exception>
    public static ImageDataset Mnist(DatasetSplit split, string? directory = null, int? limit = null) =>
        Read(directory ?? DefaultMnistDirectory, split, "mnist", 10, ChannelNormalization.Mnist, limit);

    /// <summary>Reads one split from a directory holding the four standard IDX file names (raw or .gz).</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="split">Train (<c>train-*</c>) or test (<c>t10k-*</c>).</param>
    /// <param name="name">The dataset's name for reports.</param>
    /// <param name="classCount">Number of classes; labels must lie in [0, classCount).</param>
    /// <param name="normalization">The per-channel mean and std (one channel).</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">A directory or file is missing or malformed.</exception>
    public static ImageDataset Read(string directory, DatasetSplit split, string name, int classCount, ChannelNormalization normalization, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var prefix = split == DatasetSplit.Train ? "train" : "t10k";
        RequireDirectory(directory, $"{prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz]");
        var images = FindMaybeGzipped(directory, $"{prefix}-images-idx3-ubyte");
        var labels = FindMaybeGzipped(directory, $"{prefix}-labels-idx1-ubyte");
        return ReadFiles(images, labels, name, classCount, normalization, limit);
    }

    /// <summary>Reads an images file and a labels file (each raw or gzipped).</summary>
    /// <param name="imagesPath">The IDX3 images file.</param>
    /// <param name="labelsPath">The IDX1 labels file.</param>
    /// <param name="name">The dataset's name for reports.</param>
    /// <param name="classCount">Number of classes; labels must lie in [0, classCount).</param>
    /// <param name="normalization">The per-channel mean and std (one channel).</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">A file is missing or malformed, or the files disagree.</exception>
    public static ImageDataset ReadFiles(string imagesPath, string labelsPath, string name, int classCount, ChannelNormalization normalization, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        ArgumentNullException.ThrowIfNull(normalization);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "the limit must not be negative");
        }

        var (pixels, count, rows, columns) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath, classCount);
        if (labels.Length != count)
        {
            throw new DatasetException(
                labelsPath,
                $"holds {N(labels.Length)} labels but the images file {Path.GetFullPath(imagesPath)} holds {N(count)} images: expected the counts to agree",
                null);
        }

        var dataset = new ImageDataset(name, pixels, labels, 1, rows, columns, classCount, normalization);
        return limit is { } n ? dataset.Take(n) : dataset;
    }

    private static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException(path, "file not found (expected an IDX3 images file)", null);
        }

        var data = ReadAll(path);
        if (data.Length < 16)
        {
            throw new DatasetException(path, $"truncated: expected a 16-byte IDX3 header, found {N(data.Length)} bytes", null);
        }

        var header = data.AsSpan();
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ImagesMagic)
        {
            throw new DatasetException(path, $"wrong magic number: expected {ImagesMagic} (IDX unsigned-byte images, 3 dimensions), found {N(magic)}", null);
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        var rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        var columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count < 0 || rows < 1 || columns < 1 || rows > 65536 || columns > 65536)
        {
            throw new DatasetException(path, $"bad dimensions in the header: expected a count >= 0 and rows, columns in 1..65536, found {N(count)} x {N(rows)} x {N(columns)}", null);
        }

        var expected = 16 + ((long)count * rows * columns);
        if (data.LongLength != expected)
        {
            var what = data.LongLength < expected ? "truncated" : "too long";
            throw new DatasetException(
                path,
                $"{what}: expected {N(expected)} bytes (16-byte header + {N(count)} images of {N(rows)}x{N(columns)}), found {N(data.LongLength)}",
                null);
        }

        return (data.AsSpan(16).ToArray(), count, rows, columns);
    }

    private static long[] ReadLabels(string path, int classCount)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException(path, "file not found (expected an IDX1 labels file)", null);
        }

        var data = ReadAll(path);
        if (data.Length < 8)
        {
            throw new DatasetException(path, $"truncated: expected an 8-byte IDX1 header, found {N(data.Length)} bytes", null);
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != LabelsMagic)
        {
            throw new DatasetException(path, $"wrong magic number: expected {LabelsMagic} (IDX unsigned-byte labels, 1 dimension), found {N(magic)}", null);
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        if (count < 0)
        {
            throw new DatasetException(path, $"bad count in the header: expected >= 0, found {N(count)}", null);
        }

        var expected = 8L + count;
        if (data.LongLength != expected)
        {
            var what = data.LongLength < expected ? "truncated" : "too long";
            throw new DatasetException(path, $"{what}: expected {N(expected)} bytes (8-byte header + {N(count)} labels), found {N(data.LongLength)}", null);
        }

        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            var label = data[8 + i];
            if (label >= classCount)
            {
                throw new DatasetException(path, $"label {N(label)} of sample {N(i)} is out of range: expected 0..{N(classCount - 1)}", null);
            }

            labels[i] = label;
        }

        return labels;
    }
}
