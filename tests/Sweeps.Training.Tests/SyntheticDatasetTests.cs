using Sweeps.Training.Data;

namespace Sweeps.Training.Tests;

/// <summary>The synthetic dataset: deterministic, balanced, learnable.</summary>
public sealed class SyntheticDatasetTests
{
    [Fact]
    public void Create_SameArguments_GivesIdenticalData()
    {
        var a = SyntheticDataset.Create(100, 3, 8, 8, 5, seed: 42);
        var b = SyntheticDataset.Create(100, 3, 8, 8, 5, seed: 42);
        var c = SyntheticDataset.Create(100, 3, 8, 8, 5, seed: 43);

        Assert.Equal(a.Pixels.ToArray(), b.Pixels.ToArray());
        Assert.Equal(a.Labels.ToArray(), b.Labels.ToArray());
        Assert.NotEqual(a.Pixels.ToArray(), c.Pixels.ToArray());
        Assert.Equal(a.Normalization.Mean, b.Normalization.Mean);
    }

    [Fact]
    public void Create_Shape_IsAsAskedAndBalanced()
    {
        var data = SyntheticDataset.Create(95, 2, 6, 10, 10, seed: 1);

        Assert.Equal(("synthetic", 95, 2, 6, 10, 10), (data.Name, data.Count, data.Channels, data.Height, data.Width, data.ClassCount));
        Assert.Equal(95 * 2 * 6 * 10, data.Pixels.Length);
        Assert.Equal([10, 10, 10, 10, 10, 9, 9, 9, 9, 9], data.ClassCounts());
        Assert.Equal(2, data.Normalization.Channels);
    }

    [Fact]
    public void Create_TrainAndTest_ShareClassesSoANearestMeanClassifierGeneralises()
    {
        var train = SyntheticDataset.Create(500, 1, 16, 16, 10, seed: 7, DatasetSplit.Train);
        var test = SyntheticDataset.Create(200, 1, 16, 16, 10, seed: 7, DatasetSplit.Test);
        Assert.NotEqual(train.GetImage(0).ToArray(), test.GetImage(0).ToArray());

        var size = train.ImageSize;
        var means = new double[10, size];
        var counts = train.ClassCounts();
        for (var i = 0; i < train.Count; i++)
        {
            var image = train.GetImage(i);
            for (var j = 0; j < size; j++)
            {
                means[train.GetLabel(i), j] += image[j] / (double)counts[train.GetLabel(i)];
            }
        }

        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var image = test.GetImage(i).ToArray();
            var best = Enumerable.Range(0, 10).MinBy(k => Enumerable.Range(0, size).Sum(j => Math.Pow(image[j] - means[k, j], 2)));
            correct += best == test.GetLabel(i) ? 1 : 0;
        }

        Assert.True(correct >= 190, $"nearest class mean got {correct} of 200 test samples");
    }

    [Fact]
    public void Create_Normalization_MatchesTheDataStatistics()
    {
        var data = SyntheticDataset.Create(2000, 2, 8, 8, 4, seed: 3);
        for (var c = 0; c < 2; c++)
        {
            double sum = 0, sumSq = 0;
            long n = 0;
            for (var i = 0; i < data.Count; i++)
            {
                foreach (var b in data.GetImage(i).Slice(c * 64, 64))
                {
                    sum += b / 255.0;
                    sumSq += b / 255.0 * (b / 255.0);
                    n++;
                }
            }

            var mean = sum / n;
            var std = Math.Sqrt((sumSq / n) - (mean * mean));
            Assert.True(Math.Abs(mean - data.Normalization.Mean[c]) < 0.01, $"mean {mean} vs {data.Normalization.Mean[c]}");
            Assert.True(Math.Abs(std - data.Normalization.Std[c]) < 0.01, $"std {std} vs {data.Normalization.Std[c]}");
        }
    }

    [Fact]
    public void Load_Synthetic_HasFashionMnistShapeAndOneNormalisationForBothSplits()
    {
        var train = Datasets.Load("synthetic", DatasetSplit.Train);
        var test = Datasets.Load("synthetic", DatasetSplit.Test, limit: 100);

        Assert.Equal((Datasets.SyntheticTrainCount, 1, 28, 28, 10), (train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(100, test.Count);
        Assert.Equal(train.Normalization.Mean, test.Normalization.Mean);
        Assert.Equal(train.Normalization.Std, test.Normalization.Std);
    }

    [Fact]
    public void ImageDataset_LabelOutOfRangeOrSizesDisagree_Throws()
    {
        var n = ChannelNormalization.Uniform(1, 0.5f, 0.5f);
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", new byte[8], [0, 2], 1, 2, 2, 2, n));
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", new byte[7], [0, 1], 1, 2, 2, 2, n));
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", new byte[8], [0, 1], 1, 2, 2, 2, ChannelNormalization.Cifar10));
    }
}
