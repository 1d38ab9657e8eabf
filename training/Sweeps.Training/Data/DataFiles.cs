using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Sweeps.Training.Data;

/// <summary>File helpers shared by the readers: existence checks and whole-file reads (gzip or raw).</summary>
internal static class DataFiles
{
    /// <summary>Throws a <see cref="DatasetException"/> when the directory does not exist.</summary>
    public static void RequireDirectory(string directory, string expected)
    {
        if (!Directory.Exists(directory))
        {
            throw new DatasetException(directory, $"dataset directory not found (expected a directory holding {expected})", null);
        }
    }

    /// <summary>The path of <paramref name="fileName"/> in the directory, or of its <c>.gz</c> twin when only that exists.</summary>
    public static string FindMaybeGzipped(string directory, string fileName)
    {
        var raw = Path.Combine(directory, fileName);
        if (File.Exists(raw))
        {
            return raw;
        }

        var gz = raw + ".gz";
        if (File.Exists(gz))
        {
            return gz;
        }

        throw new DatasetException(raw, $"file not found (expected {fileName} or {fileName}.gz in {Path.GetFullPath(directory)})", null);
    }

    /// <summary>The path of <paramref name="fileName"/> in the directory; throws when it is missing.</summary>
    public static string Find(string directory, string fileName)
    {
        var path = Path.Combine(directory, fileName);
        return File.Exists(path)
            ? path
            : throw new DatasetException(path, $"file not found (expected {fileName} in {Path.GetFullPath(directory)})", null);
    }

    /// <summary>The whole contents of a file, decompressed when it starts with the gzip signature.</summary>
    public static byte[] ReadAll(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 18 || bytes[0] != 0x1F || bytes[1] != 0x8B)
            {
                return bytes;
            }

            // The gzip trailer holds the uncompressed size modulo 2^32: a capacity hint.
            var hint = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
            using var output = new MemoryStream(hint < int.MaxValue ? (int)hint : 0);
            using (var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress))
            {
                gzip.CopyTo(output);
            }

            return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException(path, $"the file starts like gzip but cannot be decompressed (truncated or corrupt): {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new DatasetException(path, $"cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DatasetException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Formats an integer with the invariant culture.</summary>
    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
