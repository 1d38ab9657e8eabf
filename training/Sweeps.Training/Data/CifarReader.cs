using static Sweeps.Training.Data.DataFiles;

namespace Sweeps.Training.Data;

/// <summary>
/// Reads the binary versions of CIFAR-10 and CIFAR-100 (3 x 32 x 32 RGB images, channel planes
/// R, G, B, each 32 rows of 32 bytes).
/// </summary>
/// <remarks>
/// CIFAR-10: <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c> (train) and <c>test_batch.bin</c>,
/// records of 1 label byte + 3072 pixel bytes. CIFAR-100: <c>train.bin</c> and <c>test.bin</c>,
/// records of 1 coarse label byte + 1 fine label byte + 3072 pixel bytes; the fine labels (100
/// classes) are used. The directory may be the one holding the files or its parent holding the
/// archives' folder (<c>cifar-10-batches-bin</c> / <c>cifar-100-binary</c>). Every file must hold
/// a whole number of records (at least one). <c>limit</c> keeps the first samples in file order
/// (files in the order above; files past the limit are not read).
/// Every problem is a <see cref="DatasetException"/> naming the file.
/// </remarks>
public static class CifarReader
{
    /// <summary>Bytes of one image (3 x 32 x 32).</summary>
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>CIFAR-10, 10 classes, normalisation <see cref="ChannelNormalization.Cifar10"/>.</summary>
    /// <param name="directory">The folder holding the .bin files, or its parent holding <c>cifar-10-batches-bin</c>.</param>
    /// <param name="split">Train (data_batch_1..5) or test (test_batch).</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">A directory or file is missing or malformed.</exception>
    public static ImageDataset Cifar10(string directory, DatasetSplit split, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var dir = Resolve(directory, "cifar-10-batches-bin", "data_batch_1.bin .. data_batch_5.bin and test_batch.bin");
        string[] files = split == DatasetSplit.Train
            ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"]
            : ["test_batch.bin"];
        return ReadRecords(dir, files, "cifar10", labelBytes: 1, classCount: 10, ChannelNormalization.Cifar10, limit);
    }

    /// <summary>CIFAR-100 with its 100 fine labels, normalisation <see cref="ChannelNormalization.Cifar100"/>.</summary>
    /// <param name="directory">The folder holding train.bin and test.bin, or its parent holding <c>cifar-100-binary</c>.</param>
    /// <param name="split">Train (train.bin) or test (test.bin).</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">A directory or file is missing or malformed.</exception>
    public static ImageDataset Cifar100(string directory, DatasetSplit split, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var dir = Resolve(directory, "cifar-100-binary", "train.bin and test.bin");
        string[] files = [split == DatasetSplit.Train ? "train.bin" : "test.bin"];
        return ReadRecords(dir, files, "cifar100", labelBytes: 2, classCount: 100, ChannelNormalization.Cifar100, limit);
    }

    private static string Resolve(string directory, string archiveFolder, string expected)
    {
        var nested = Path.Combine(directory, archiveFolder);
        if (Directory.Exists(nested))
        {
            return nested;
        }

        RequireDirectory(directory, $"{expected} (or a {archiveFolder} folder holding them)");
        return directory;
    }

    private static ImageDataset ReadRecords(string directory, string[] fileNames, string name, int labelBytes, int classCount, ChannelNormalization normalization, int? limit)
    {
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "the limit must not be negative");
        }

        var record = labelBytes + ImageBytes;
        var wanted = limit ?? int.MaxValue;
        var pixelChunks = new List<byte[]>();
        var labels = new List<long>();
        foreach (var fileName in fileNames)
        {
            if (labels.Count >= wanted)
            {
                break;
            }

            var path = Find(directory, fileName);
            var data = ReadAll(path);
            var layout = labelBytes == 1 ? "1 label byte + 3072 pixel bytes" : "1 coarse label byte + 1 fine label byte + 3072 pixel bytes";
            if (data.Length == 0 || data.Length % record != 0)
            {
                throw new DatasetException(
                    path,
                    $"truncated or malformed: expected a whole number of {N(record)}-byte records ({layout}), found {N(data.Length)} bytes ({N(data.Length / record)} records and {N(data.Length % record)} bytes left over)",
                    null);
            }

            var records = Math.Min(data.Length / record, wanted - labels.Count);
            var pixels = new byte[records * ImageBytes];
            for (var i = 0; i < records; i++)
            {
                var offset = i * record;
                if (labelBytes == 2 && data[offset] >= 20)
                {
                    throw new DatasetException(path, $"coarse label {N(data[offset])} of record {N(i)} is out of range: expected 0..19", null);
                }

                var label = data[offset + labelBytes - 1];
                if (label >= classCount)
                {
                    var kind = labelBytes == 2 ? "fine label" : "label";
                    throw new DatasetException(path, $"{kind} {N(label)} of record {N(i)} is out of range: expected 0..{N(classCount - 1)}", null);
                }

                labels.Add(label);
                Buffer.BlockCopy(data, offset + labelBytes, pixels, i * ImageBytes, ImageBytes);
            }

            pixelChunks.Add(pixels);
        }

        var all = pixelChunks.Count == 1 ? pixelChunks[0] : new byte[pixelChunks.Sum(c => (long)c.Length)];
        if (pixelChunks.Count > 1)
        {
            var position = 0;
            foreach (var chunk in pixelChunks)
            {
                Buffer.BlockCopy(chunk, 0, all, position, chunk.Length);
                position += chunk.Length;
            }
        }

        return new ImageDataset(name, all, [.. labels], 3, 32, 32, classCount, normalization);
    }
}
