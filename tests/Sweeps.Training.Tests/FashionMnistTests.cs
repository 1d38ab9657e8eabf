using System.Diagnostics;
using Sweeps.Training.Data;

namespace Sweeps.Training.Tests;

/// <summary>
/// The real Fashion-MNIST files of Debian's dataset-fashion-mnist package. Expected values were read
/// independently with python3 (gzip + struct): train labels start 9 0 0 3 0 2 7 2 5 5, the first
/// train image sums to 76247 with pixel (14, 14) = 217; the first test label is 9, the first test
/// image sums to 33456 with pixel (14, 14) = 110; the train pixels' mean is 0.28604 of 255.
/// </summary>
public sealed class FashionMnistTests
{
    [Fact]
    public void FashionMnist_Train_Has60000ImagesOf28x28WithTheKnownFirstSamples()
    {
        RequireInstalled();
        var watch = Stopwatch.StartNew();
        var train = IdxReader.FashionMnist(DatasetSplit.Train);
        watch.Stop();

        Assert.Equal(("fashion-mnist", 60000, 1, 28, 28, 10), (train.Name, train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal([9L, 0, 0, 3, 0, 2, 7, 2, 5, 5], train.Labels[..10].ToArray());
        Assert.Equal(76247, Sum(train.GetImage(0)));
        Assert.Equal(217, train.GetImage(0)[(14 * 28) + 14]);
        Assert.All(train.ClassCounts(), n => Assert.Equal(6000, n));
        double total = 0;
        foreach (var b in train.Pixels.Span)
        {
            total += b;
        }

        Assert.Equal(0.28604, total / train.Pixels.Length / 255, 5);
        Assert.Equal(0.2860f, train.Normalization.Mean[0]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"loading took {watch.Elapsed}");
    }

    [Fact]
    public void FashionMnist_Test_Has10000ImagesWithTheKnownFirstSample()
    {
        RequireInstalled();
        var test = IdxReader.FashionMnist(DatasetSplit.Test);

        Assert.Equal(10000, test.Count);
        Assert.Equal(9L, test.GetLabel(0));
        Assert.Equal(33456, Sum(test.GetImage(0)));
        Assert.Equal(110, test.GetImage(0)[(14 * 28) + 14]);
        Assert.All(test.ClassCounts(), n => Assert.Equal(1000, n));
    }

    [Fact]
    public void Load_FashionMnistByNameWithLimit_KeepsTheFirstSamples()
    {
        RequireInstalled();
        var data = Datasets.Load("fashion-mnist", DatasetSplit.Train, limit: 10);

        Assert.Equal(10, data.Count);
        Assert.Equal([9L, 0, 0, 3, 0, 2, 7, 2, 5, 5], data.Labels.ToArray());
        Assert.Equal(76247, Sum(data.GetImage(0)));
    }

    private static int Sum(ReadOnlySpan<byte> image)
    {
        var sum = 0;
        foreach (var b in image)
        {
            sum += b;
        }

        return sum;
    }

    private static void RequireInstalled() =>
        Assert.True(
            File.Exists(Path.Combine(IdxReader.DefaultFashionMnistDirectory, "train-images-idx3-ubyte.gz")),
            $"Fashion-MNIST is not installed in {IdxReader.DefaultFashionMnistDirectory}: apt-get install dataset-fashion-mnist");
}
