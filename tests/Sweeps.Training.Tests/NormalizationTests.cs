using Sweeps.Torch;
using Sweeps.Training.Data;

namespace Sweeps.Training.Tests;

/// <summary>Per-dataset normalisation constants and their application.</summary>
public sealed class NormalizationTests
{
    public static TheoryData<string, float[], float[]> Known => new()
    {
        { "fashion-mnist", [0.2860f], [0.3530f] },
        { "mnist", [0.1307f], [0.3081f] },
        { "cifar10", [0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f] },
        { "cifar100", [0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f] },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void Apply_White_IsOneMinusMeanOverStd(string name, float[] mean, float[] std)
    {
        var n = Named(name);

        Assert.Equal(mean, n.Mean);
        Assert.Equal(std, n.Std);
        for (var c = 0; c < mean.Length; c++)
        {
            Assert.Equal((1 - mean[c]) / std[c], n.Apply(c, 255), 6);
            Assert.Equal(-mean[c] / std[c], n.Apply(c, 0), 6);
            Assert.Equal((0.4f - mean[c]) / std[c], n.Apply(c, 102), 6); // 102 / 255 = 0.4
        }
    }

    [Fact]
    public void Loader_WhiteAndBlackCifarImages_GiveTheNormalisedValuesPerChannel()
    {
        var pixels = new byte[2 * 3 * 32 * 32];
        Array.Fill(pixels, (byte)255, 0, 3 * 32 * 32);
        var data = new ImageDataset("white-black", pixels, [0, 1], 3, 32, 32, 2, ChannelNormalization.Cifar10);
        using var loader = new DataLoader(data, DataLoaderOptions.Evaluation(2, Device.Cpu));

        using var batch = loader.Epoch(0).Single();
        var values = batch.Images.ToArray<float>();

        float[] mean = [0.4914f, 0.4822f, 0.4465f], std = [0.2470f, 0.2435f, 0.2616f];
        for (var c = 0; c < 3; c++)
        {
            Assert.All(values.AsSpan(c * 1024, 1024).ToArray(), v => Assert.Equal((1 - mean[c]) / std[c], v, 6));
            Assert.All(values.AsSpan(3072 + (c * 1024), 1024).ToArray(), v => Assert.Equal(-mean[c] / std[c], v, 6));
        }
    }

    [Fact]
    public void Constructor_NonPositiveStd_Throws() =>
        Assert.Throws<ArgumentException>(() => new ChannelNormalization([0.5f], [0f]));

    private static ChannelNormalization Named(string name) => name switch
    {
        "fashion-mnist" => ChannelNormalization.FashionMnist,
        "mnist" => ChannelNormalization.Mnist,
        "cifar10" => ChannelNormalization.Cifar10,
        _ => ChannelNormalization.Cifar100,
    };
}
