using Sweeps.Torch;
using Sweeps.Training.Data;
using static Sweeps.Training.Tests.LoaderTestData;

namespace Sweeps.Training.Tests;

/// <summary>Batching, shuffling, augmentation and the three batch kinds of the data loader.</summary>
public sealed class DataLoaderTests
{
    [Fact]
    public void Epoch_Batches_AreFloatImagesAndInt64LabelsOfTheRightShape()
    {
        var data = SyntheticDataset.Create(300, 3, 8, 8, 4, seed: 1);
        using var loader = new DataLoader(data, DataLoaderOptions.Training(128, seed: 1, Device.Cpu));

        var shapes = new List<(long[], long[], int)>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.Equal(ScalarType.Float32, batch.Images.Dtype);
                Assert.Equal(ScalarType.Int64, batch.Labels.Dtype);
                Assert.Equal(Device.Cpu, batch.Images.Device);
                shapes.Add((batch.Images.Shape, batch.Labels.Shape, batch.Count));
            }
        }

        Assert.Equal(3, loader.BatchesPerEpoch);
        Assert.Equal([128L, 3, 8, 8], shapes[0].Item1);
        Assert.Equal([128L], shapes[0].Item2);
        Assert.Equal([44L, 3, 8, 8], shapes[2].Item1);
        Assert.Equal(44, shapes[2].Item3);
    }

    [Fact]
    public void Epoch_EverySample_AppearsExactlyOnceWithItsLabel()
    {
        var data = Indexed(1000);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 64, Seed = 11 });

        var seen = new List<int>();
        var sizes = new List<int>();
        foreach (var batch in loader.Epoch(4))
        {
            using (batch)
            {
                var indices = DecodeIndices(batch.Images.ToArray<float>());
                Assert.Equal(indices.Select(i => (long)(i % 7)), batch.Labels.ToArray<long>());
                seen.AddRange(indices);
                sizes.Add(batch.Count);
            }
        }

        Assert.Equal(16, sizes.Count);
        Assert.Equal(40, sizes[^1]);
        Assert.Equal(Enumerable.Range(0, 1000), seen.Order());
        Assert.Equal(loader.EpochOrder(4), seen);
        Assert.NotEqual(Enumerable.Range(0, 1000), seen);
    }

    [Fact]
    public void Epoch_DropLast_GivesOnlyFullBatchesOfDistinctSamples()
    {
        using var loader = new DataLoader(Indexed(1000), new DataLoaderOptions { BatchSize = 64, DropLast = true, Seed = 2 });

        var seen = new List<int>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.Equal(64, batch.Count);
                seen.AddRange(DecodeIndices(batch.Images.ToArray<float>()));
            }
        }

        Assert.Equal(15, loader.BatchesPerEpoch);
        Assert.Equal(960, seen.Distinct().Count());
        Assert.Equal(loader.EpochOrder(0)[..960], seen);
    }

    [Fact]
    public void Epoch_WithoutShuffle_VisitsTheDatasetInOrder()
    {
        using var loader = new DataLoader(Indexed(100), DataLoaderOptions.Evaluation(30, Device.Cpu));

        var seen = new List<int>();
        foreach (var batch in loader.Epoch(5))
        {
            using (batch)
            {
                seen.AddRange(DecodeIndices(batch.Images.ToArray<float>()));
            }
        }

        Assert.Equal(Enumerable.Range(0, 100), seen);
    }

    [Fact]
    public void EpochOrder_SameSeedAndEpoch_IsReproducibleAndDiffersAcrossEpochsAndSeeds()
    {
        var data = Indexed(500);
        using var a = new DataLoader(data, new DataLoaderOptions { Seed = 3 });
        using var b = new DataLoader(data, new DataLoaderOptions { Seed = 3 });
        using var c = new DataLoader(data, new DataLoaderOptions { Seed = 4 });

        Assert.Equal(a.EpochOrder(2), b.EpochOrder(2));
        Assert.NotEqual(a.EpochOrder(2), a.EpochOrder(3));
        Assert.NotEqual(a.EpochOrder(0), c.EpochOrder(0));
        // The epoch seed is the trial seed + the epoch.
        Assert.Equal(a.EpochOrder(1), c.EpochOrder(0));
    }

    [Fact]
    public void Epoch_ResumedAtAnEpoch_GivesTheBatchesOfAnUninterruptedRun()
    {
        var data = SyntheticDataset.Create(200, 1, 12, 12, 5, seed: 9);
        var options = DataLoaderOptions.Training(32, seed: 21, Device.Cpu);
        List<(float[], long[])> uninterrupted = [];
        using (var loader = new DataLoader(data, options))
        {
            for (var epoch = 0; epoch < 3; epoch++)
            {
                var batches = Collect(loader.Epoch(epoch));
                if (epoch == 2)
                {
                    uninterrupted = batches;
                }
            }
        }

        using var resumed = new DataLoader(data, options with { Prefetch = 0 });
        var again = Collect(resumed.Epoch(2));

        Assert.Equal(uninterrupted.Count, again.Count);
        for (var i = 0; i < again.Count; i++)
        {
            Assert.Equal(uninterrupted[i].Item1, again[i].Item1);
            Assert.Equal(uninterrupted[i].Item2, again[i].Item2);
        }
    }

    [Fact]
    public void Epoch_Augmented_EachImageIsAPaddedCropOfItsSampleFlippedAboutHalfTheTime()
    {
        var data = Textured(400, 2, 6);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 50, Shuffle = false, Augment = true, CropPadding = 2, Seed = 5 });
        Assert.Equal(2, loader.CropPadding);

        var flips = 0;
        var offsets = new HashSet<(int, int)>();
        var index = 0;
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                var bytes = ToBytes(batch.Images.ToArray<float>());
                for (var i = 0; i < batch.Count; i++, index++)
                {
                    var matches = MatchingTransforms(data.GetImage(index), bytes.AsSpan(i * 72, 72), 2, 6, 2);
                    Assert.Single(matches);
                    flips += matches[0].Flip ? 1 : 0;
                    offsets.Add((matches[0].Y, matches[0].X));
                }
            }
        }

        Assert.Equal(400, index);
        Assert.InRange(flips, 160, 240);
        Assert.Equal(25, offsets.Count); // all 5 x 5 window positions occur
    }

    [Fact]
    public void Epoch_AugmentedWithoutFlip_NeverFlips()
    {
        var data = Textured(100, 1, 6);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 100, Shuffle = false, Augment = true, HorizontalFlip = false });

        using var batch = loader.Epoch(0).Single();
        var bytes = ToBytes(batch.Images.ToArray<float>());
        for (var i = 0; i < 100; i++)
        {
            var matches = MatchingTransforms(data.GetImage(i), bytes.AsSpan(i * 36, 36), 1, 6, 2);
            Assert.Single(matches);
            Assert.False(matches[0].Flip);
        }
    }

    [Theory]
    [InlineData(28, 2)]
    [InlineData(32, 4)]
    public void CropPadding_Default_IsTwoFor28AndFourFor32Pixels(int size, int expected)
    {
        var data = SyntheticDataset.Create(4, size == 32 ? 3 : 1, size, size, 2, seed: 0);

        using var training = new DataLoader(data, DataLoaderOptions.Training(2, 0, Device.Cpu));
        using var evaluation = new DataLoader(data, DataLoaderOptions.Evaluation(2, Device.Cpu));

        Assert.Equal(expected, training.CropPadding);
        Assert.Equal(0, evaluation.CropPadding);
    }

    [Fact]
    public void TwoViewEpoch_Views_DifferButShowTheSameSamplesWithTheSameLabels()
    {
        var data = Textured(200, 1, 8, classes: 5);
        var options = new DataLoaderOptions { BatchSize = 64, Augment = true, Seed = 8 };
        using var loader = new DataLoader(data, options);

        var plain = Collect(loader.Epoch(1));
        var order = loader.EpochOrder(1);
        var sample = 0;
        var differing = 0;
        var batchIndex = 0;
        foreach (var batch in loader.TwoViewEpoch(1))
        {
            using (batch)
            {
                var view1 = batch.View1.ToArray<float>();
                var view2 = batch.View2.ToArray<float>();
                Assert.Equal(plain[batchIndex].Item1, view1);
                Assert.Equal(plain[batchIndex].Item2, batch.Labels.ToArray<long>());
                Assert.Equal(batch.View1.Shape, batch.View2.Shape);
                var bytes1 = ToBytes(view1);
                var bytes2 = ToBytes(view2);
                for (var i = 0; i < batch.Count; i++, sample++)
                {
                    var source = data.GetImage(order[sample]);
                    Assert.NotEmpty(MatchingTransforms(source, bytes1.AsSpan(i * 64, 64), 1, 8, 2));
                    Assert.NotEmpty(MatchingTransforms(source, bytes2.AsSpan(i * 64, 64), 1, 8, 2));
                    differing += bytes1.AsSpan(i * 64, 64).SequenceEqual(bytes2.AsSpan(i * 64, 64)) ? 0 : 1;
                }

                batchIndex++;
            }
        }

        Assert.Equal(200, sample);
        // Two independent draws of 50 transforms coincide with probability 1/50.
        Assert.InRange(differing, 180, 200);
    }

    [Fact]
    public void UnlabeledEpoch_Batches_HaveNoLabelsAndTheSameImages()
    {
        var labelled = typeof(UnlabeledBatch).GetProperties().Where(p => p.PropertyType == typeof(Tensor)).Select(p => p.Name);
        Assert.Equal(["Images"], labelled);
        Assert.DoesNotContain(typeof(UnlabeledBatch).GetMembers(), m => m.Name.Contains("Label", StringComparison.OrdinalIgnoreCase));

        var data = SyntheticDataset.Create(100, 1, 8, 8, 3, seed: 4);
        using var loader = new DataLoader(data, DataLoaderOptions.Training(40, seed: 6, Device.Cpu));
        var plain = Collect(loader.Epoch(2));
        var i = 0;
        foreach (var batch in loader.UnlabeledEpoch(2))
        {
            using (batch)
            {
                Assert.Equal(plain[i++].Item1, batch.Images.ToArray<float>());
            }
        }

        Assert.Equal(3, i);
    }

    [Fact]
    public void Epoch_PrefetchDepths_GiveIdenticalBatches()
    {
        var data = SyntheticDataset.Create(150, 3, 8, 8, 4, seed: 2);
        var options = DataLoaderOptions.Training(16, seed: 13, Device.Cpu);
        using var synchronous = new DataLoader(data, options with { Prefetch = 0 });
        using var one = new DataLoader(data, options with { Prefetch = 1 });
        using var two = new DataLoader(data, options with { Prefetch = 2 });

        var reference = Collect(synchronous.Epoch(1));
        foreach (var other in new[] { Collect(one.Epoch(1)), Collect(two.Epoch(1)) })
        {
            Assert.Equal(reference.Select(b => b.Item1), other.Select(b => b.Item1));
            Assert.Equal(reference.Select(b => b.Item2), other.Select(b => b.Item2));
        }
    }

    [Fact]
    public void Constructor_BadOptions_Throws()
    {
        var data = Indexed(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, new DataLoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, new DataLoaderOptions { Prefetch = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, new DataLoaderOptions { CropPadding = -1 }));
        using var loader = new DataLoader(data, new DataLoaderOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(-1));
    }

    private static List<(float[], long[])> Collect(IEnumerable<Batch> batches)
    {
        var result = new List<(float[], long[])>();
        foreach (var batch in batches)
        {
            using (batch)
            {
                result.Add((batch.Images.ToArray<float>(), batch.Labels.ToArray<long>()));
            }
        }

        return result;
    }
}
