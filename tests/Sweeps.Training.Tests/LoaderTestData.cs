using Sweeps.Training.Data;

namespace Sweeps.Training.Tests;

/// <summary>Datasets whose images can be recognised in a batch, and a naive reference augmentation.</summary>
internal static class LoaderTestData
{
    /// <summary>Normalisation that maps byte v to v (mean 0, std 1/255), so batch values decode back to bytes.</summary>
    public static ChannelNormalization Identity(int channels) => ChannelNormalization.Uniform(channels, 0f, 1f / 255f);

    /// <summary>Images of 1 x 2 x 2 whose first two pixels encode the sample index; label = index mod classes.</summary>
    public static ImageDataset Indexed(int count, int classes = 7)
    {
        var pixels = new byte[count * 4];
        for (var i = 0; i < count; i++)
        {
            pixels[i * 4] = (byte)(i % 256);
            pixels[(i * 4) + 1] = (byte)(i / 256);
        }

        var labels = Enumerable.Range(0, count).Select(i => (long)(i % classes)).ToArray();
        return new ImageDataset("indexed", pixels, labels, 1, 2, 2, classes, Identity(1));
    }

    /// <summary>The sample indices of an <see cref="Indexed"/> batch.</summary>
    public static int[] DecodeIndices(float[] images)
    {
        var result = new int[images.Length / 4];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (int)Math.Round(images[i * 4]) + (256 * (int)Math.Round(images[(i * 4) + 1]));
        }

        return result;
    }

    /// <summary>Images of pseudo-random bytes in 1..255 (no zeros, so padding is visible); labels i mod classes.</summary>
    public static ImageDataset Textured(int count, int channels, int size, int classes = 3)
    {
        var pixels = new byte[count * channels * size * size];
        for (var j = 0; j < pixels.Length; j++)
        {
            pixels[j] = (byte)(1 + ((j * 2654435761L) >> 7) % 255);
        }

        var labels = Enumerable.Range(0, count).Select(i => (long)(i % classes)).ToArray();
        return new ImageDataset("textured", pixels, labels, channels, size, size, classes, Identity(channels));
    }

    /// <summary>Bytes decoded from identity-normalised floats.</summary>
    public static byte[] ToBytes(float[] values) => values.Select(v => (byte)Math.Round(v)).ToArray();

    /// <summary>Every (offsetY, offsetX, flip) whose transform of <paramref name="source"/> equals <paramref name="output"/>,
    /// computed naively: build the zero-padded image, cut the window, mirror it.</summary>
    public static List<(int Y, int X, bool Flip)> MatchingTransforms(ReadOnlySpan<byte> source, ReadOnlySpan<byte> output, int channels, int size, int padding)
    {
        var padded = size + (2 * padding);
        var big = new byte[channels, padded, padded];
        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    big[c, y + padding, x + padding] = source[(((c * size) + y) * size) + x];
                }
            }
        }

        var matches = new List<(int, int, bool)>();
        for (var oy = 0; oy <= 2 * padding; oy++)
        {
            for (var ox = 0; ox <= 2 * padding; ox++)
            {
                foreach (var flip in new[] { false, true })
                {
                    var equal = true;
                    for (var c = 0; c < channels && equal; c++)
                    {
                        for (var y = 0; y < size && equal; y++)
                        {
                            for (var x = 0; x < size && equal; x++)
                            {
                                var window = big[c, oy + y, ox + x];
                                var at = flip ? (((c * size) + y) * size) + (size - 1 - x) : (((c * size) + y) * size) + x;
                                equal = output[at] == window;
                            }
                        }
                    }

                    if (equal)
                    {
                        matches.Add((oy, ox, flip));
                    }
                }
            }
        }

        return matches;
    }
}
