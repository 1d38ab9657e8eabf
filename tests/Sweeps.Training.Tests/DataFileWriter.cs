using System.Buffers.Binary;
using System.IO.Compression;

namespace Sweeps.Training.Tests;

/// <summary>Writes small dataset files in the IDX and CIFAR binary formats, with known contents.</summary>
internal static class DataFileWriter
{
    /// <summary>The pixel the test IDX files hold at (image, row, column).</summary>
    public static byte IdxPixel(int image, int row, int column) => (byte)(((image * 31) + (row * 7) + (column * 3)) % 256);

    public static byte[] IdxImages(int count, int rows, int columns, int magic = 2051)
    {
        var data = new byte[16 + (count * rows * columns)];
        BinaryPrimitives.WriteInt32BigEndian(data, magic);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), columns);
        for (var i = 0; i < count; i++)
        {
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    data[16 + (((i * rows) + r) * columns) + c] = IdxPixel(i, r, c);
                }
            }
        }

        return data;
    }

    public static byte[] IdxLabels(byte[] labels, int magic = 2049)
    {
        var data = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(data, magic);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), labels.Length);
        labels.CopyTo(data, 8);
        return data;
    }

    public static void Write(string path, byte[] data, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, data);
            return;
        }

        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(data);
    }

    /// <summary>Writes train and test IDX files (labels i mod 10) into a directory; returns nothing.</summary>
    public static void WriteIdxSet(string directory, int trainCount, int testCount, int rows, int columns, bool gzip)
    {
        var suffix = gzip ? ".gz" : string.Empty;
        foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            Write(Path.Combine(directory, $"{prefix}-images-idx3-ubyte{suffix}"), IdxImages(count, rows, columns), gzip);
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            Write(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte{suffix}"), IdxLabels(labels), gzip);
        }
    }

    /// <summary>The pixel the test CIFAR files hold at (record, byte within the 3072 image bytes), per file.</summary>
    public static byte CifarPixel(int fileIndex, int record, int offset) => (byte)(((fileIndex * 101) + (record * 13) + (offset * 5)) % 256);

    /// <summary>A CIFAR file: records of label byte(s) + 3072 pixel bytes.</summary>
    public static byte[] CifarRecords(int fileIndex, IReadOnlyList<byte[]> labelBytes)
    {
        var record = labelBytes[0].Length + 3072;
        var data = new byte[labelBytes.Count * record];
        for (var r = 0; r < labelBytes.Count; r++)
        {
            labelBytes[r].CopyTo(data, r * record);
            for (var j = 0; j < 3072; j++)
            {
                data[(r * record) + labelBytes[r].Length + j] = CifarPixel(fileIndex, r, j);
            }
        }

        return data;
    }
}
