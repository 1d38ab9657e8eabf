using System.Globalization;

namespace Sweeps.Training.Data;

/// <summary>
/// Per-channel normalisation of pixels: a byte v becomes (v / 255 - mean[c]) / std[c] in float32,
/// as torchvision's <c>ToTensor</c> followed by <c>Normalize(mean, std)</c>.
/// </summary>
public sealed class ChannelNormalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates a normalisation with one mean and one standard deviation per channel.</summary>
    /// <exception cref="ArgumentException">The lists are empty, differ in length, or a std is not positive and finite.</exception>
    public ChannelNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"expected one mean and one std per channel, found {mean.Count} means and {std.Count} stds", nameof(std));
        }

        foreach (var s in std)
        {
            if (!(s > 0) || !float.IsFinite(s))
            {
                throw new ArgumentException($"every std must be positive and finite, found {s.ToString(CultureInfo.InvariantCulture)}", nameof(std));
            }
        }

        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>Fashion-MNIST (1 channel): mean 0.2860, std 0.3530.</summary>
    public static ChannelNormalization FashionMnist { get; } = new([0.2860f], [0.3530f]);

    /// <summary>MNIST (1 channel): mean 0.1307, std 0.3081.</summary>
    public static ChannelNormalization Mnist { get; } = new([0.1307f], [0.3081f]);

    /// <summary>CIFAR-10 (RGB): mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616).</summary>
    public static ChannelNormalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);

    /// <summary>CIFAR-100 (RGB): mean (0.5071, 0.4865, 0.4409), std (0.2673, 0.2564, 0.2762).</summary>
    public static ChannelNormalization Cifar100 { get; } = new([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]);

    /// <summary>Number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>The per-channel means, in units of the [0, 1] pixel scale.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The per-channel standard deviations, in units of the [0, 1] pixel scale.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>A constant normalisation, the same mean and std for every channel.</summary>
    public static ChannelNormalization Uniform(int channels, float mean, float std)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return new(Enumerable.Repeat(mean, channels).ToArray(), Enumerable.Repeat(std, channels).ToArray());
    }

    /// <summary>The normalised value of byte <paramref name="value"/> in channel <paramref name="channel"/>.</summary>
    public float Apply(int channel, byte value) => ((value / 255f) - _mean[channel]) / _std[channel];

    /// <summary>Per channel, the normalised value of every byte (index = byte value).</summary>
    internal float[][] LookupTables()
    {
        var tables = new float[Channels][];
        for (var c = 0; c < Channels; c++)
        {
            tables[c] = new float[256];
            for (var v = 0; v < 256; v++)
            {
                tables[c][v] = Apply(c, (byte)v);
            }
        }

        return tables;
    }

    /// <summary>The values, e.g. <c>mean (0.4914, 0.4822, 0.4465) std (0.247, 0.2435, 0.2616)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"mean ({string.Join(", ", _mean)}) std ({string.Join(", ", _std)})");
}
