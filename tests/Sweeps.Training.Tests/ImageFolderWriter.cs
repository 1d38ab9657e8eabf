using StbImageWriteSharp;

namespace Sweeps.Training.Tests;

/// <summary>Writes the image folders of the tests: PNG and JPEG files of deterministic RGB patterns.</summary>
internal static class ImageFolderWriter
{
    /// <summary>Interleaved RGB pixels of a smooth pattern that differs by <paramref name="seed"/> (survives JPEG well).</summary>
    public static byte[] Pattern(int width, int height, int seed)
    {
        var data = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var v = 128 + (90 * Math.Sin((0.21 + (0.05 * c)) * x + (0.13 * y) + seed + c)) + (20 * Math.Cos(0.3 * y * (c + 1)));
                    data[(((y * width) + x) * 3) + c] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                }
            }
        }

        return data;
    }

    /// <summary>Writes a PNG (lossless) of <see cref="Pattern"/>; returns its pixels.</summary>
    public static byte[] Png(string path, int width, int height, int seed)
    {
        var pixels = Pattern(width, height, seed);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        new ImageWriter().WritePng(pixels, width, height, ColorComponents.RedGreenBlue, stream);
        return pixels;
    }

    /// <summary>Writes a JPEG (quality 95) of <see cref="Pattern"/>; returns the pixels it encoded.</summary>
    public static byte[] Jpeg(string path, int width, int height, int seed)
    {
        var pixels = Pattern(width, height, seed);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        new ImageWriter().WriteJpg(pixels, width, height, ColorComponents.RedGreenBlue, stream, 95);
        return pixels;
    }
}
