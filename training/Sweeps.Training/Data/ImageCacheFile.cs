using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Sweeps.Training.Data;

/// <summary>
/// The decoded tensors of one image-folder split in one file: the line <c>SWEEPS-IMAGES 1</c>, a JSON header line
/// (<see cref="ImageCacheHeader"/>), then N x C x H x W pixel bytes (uint8, channel planes) and N labels (int64,
/// little-endian). Written to a temporary file and renamed over the old one, so a reader sees a whole file or none;
/// read straight into the dataset's arrays (no second copy).
/// </summary>
internal static class ImageCacheFile
{
    private const string Magic = "SWEEPS-IMAGES 1";

    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, ImageCacheHeader header, byte[] pixels, long[] labels)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.Write(Encoding.UTF8.GetBytes(Magic + "\n" + JsonSerializer.Serialize(header) + "\n"));
                stream.Write(pixels);
                stream.Write(MemoryMarshal.AsBytes(labels.AsSpan()));
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads the header only; null when the file is missing or not a cache file of this version.</summary>
    public static ImageCacheHeader? ReadHeader(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(stream);
    }

    /// <summary>Reads the whole file into new arrays; null when it is missing, of another version, or truncated.</summary>
    public static (ImageCacheHeader Header, byte[] Pixels, long[] Labels)? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var header = ReadHeader(stream);
        if (header is null)
        {
            return null;
        }

        var pixelBytes = (long)header.Count * header.Channels * header.Height * header.Width;
        if (stream.Length - stream.Position != pixelBytes + (8L * header.Count))
        {
            return null;
        }

        var pixels = GC.AllocateUninitializedArray<byte>(checked((int)pixelBytes));
        var labels = new long[header.Count];
        stream.ReadExactly(pixels);
        stream.ReadExactly(MemoryMarshal.AsBytes(labels.AsSpan()));
        return (header, pixels, labels);
    }

    private static ImageCacheHeader? ReadHeader(FileStream stream)
    {
        var magic = ReadLine(stream, 64);
        if (magic != Magic)
        {
            return null;
        }

        var json = ReadLine(stream, 64 << 20);
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<ImageCacheHeader>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadLine(FileStream stream, int limit)
    {
        var bytes = new List<byte>();
        while (bytes.Count < limit)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                return null;
            }

            if (b == '\n')
            {
                return Encoding.UTF8.GetString(bytes.ToArray());
            }

            bytes.Add((byte)b);
        }

        return null;
    }
}
