namespace Sweeps.Training.Data;

/// <summary>
/// A learnable synthetic image dataset for tests and smoke runs, fully determined by its arguments.
/// </summary>
/// <remarks>
/// Each class k has a prototype derived from <c>seed</c> only: per channel, a 4 x 4 grid of random
/// levels in [32, 223], each level filling one block of the image (nearest-neighbour upsampling).
/// Sample i has label i mod classCount (balanced) and is its class's prototype plus independent
/// uniform integer noise in [-noise, noise] per pixel, clamped to [0, 255]; the noise comes from
/// (seed, split, i), so the train and test splits of one seed share the prototypes and differ in
/// noise. The low-frequency prototypes survive small crops and flips, so a tiny model (even a
/// linear one) fits the data. The normalisation is computed from the prototypes and the noise
/// variance, so both splits of one seed get the same one.
/// </remarks>
public static class SyntheticDataset
{
    private const int Grid = 4;

    /// <summary>Creates the dataset.</summary>
    /// <param name="count">Number of samples N.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="classCount">Number of classes K (labels i mod K).</param>
    /// <param name="seed">Determines the class prototypes and, with the split, the noise.</param>
    /// <param name="split">Train and test of one seed share prototypes and differ in noise.</param>
    /// <param name="noise">Amplitude of the uniform per-pixel noise, in pixel units (0..255).</param>
    /// <param name="name">The dataset's name for reports.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive (count may be 0) or noise is outside 0..255.</exception>
    public static ImageDataset Create(
        int count, int channels, int height, int width, int classCount, long seed,
        DatasetSplit split = DatasetSplit.Train, int noise = 48, string name = "synthetic")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(noise, 255);

        var imageSize = channels * height * width;
        var prototypes = new byte[classCount][];
        var channelSum = new double[channels];
        var channelSumSq = new double[channels];
        for (var k = 0; k < classCount; k++)
        {
            var rng = new SplitMix64(SplitMix64.Hash((ulong)seed, 0x5EED, (ulong)k));
            var levels = new byte[channels * Grid * Grid];
            for (var j = 0; j < levels.Length; j++)
            {
                levels[j] = (byte)(32 + rng.NextInt(192));
            }

            var image = new byte[imageSize];
            for (var c = 0; c < channels; c++)
            {
                for (var y = 0; y < height; y++)
                {
                    for (var x = 0; x < width; x++)
                    {
                        var level = levels[(c * Grid * Grid) + (y * Grid / height * Grid) + (x * Grid / width)];
                        image[(((c * height) + y) * width) + x] = level;
                        var v = level / 255.0;
                        channelSum[c] += v;
                        channelSumSq[c] += v * v;
                    }
                }
            }

            prototypes[k] = image;
        }

        var pixels = new byte[(long)count * imageSize];
        var labels = new long[count];
        var splitTag = split == DatasetSplit.Train ? 1UL : 2UL;
        for (var i = 0; i < count; i++)
        {
            var label = i % classCount;
            labels[i] = label;
            var rng = new SplitMix64(SplitMix64.Hash((ulong)seed, splitTag, (ulong)i));
            var prototype = prototypes[label];
            var offset = (long)i * imageSize;
            for (var j = 0; j < imageSize; j++)
            {
                var value = prototype[j] + (noise == 0 ? 0 : rng.NextInt((2 * noise) + 1) - noise);
                pixels[offset + j] = (byte)Math.Clamp(value, 0, 255);
            }
        }

        // Mean and std per channel: prototype statistics plus the noise variance ((2a+1)^2 - 1) / 12 in pixel units.
        var noiseVariance = ((((2.0 * noise) + 1) * ((2.0 * noise) + 1)) - 1) / 12 / (255.0 * 255.0);
        var perChannel = (double)classCount * height * width;
        var mean = new float[channels];
        var std = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var m = channelSum[c] / perChannel;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(1e-6, (channelSumSq[c] / perChannel) - (m * m) + noiseVariance));
        }

        return new ImageDataset(name, pixels, labels, channels, height, width, classCount, new ChannelNormalization(mean, std));
    }
}
