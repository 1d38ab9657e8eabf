using Sweeps.Torch;
using Sweeps.Training.Data;

namespace Sweeps.Training.Tests;

/// <summary>The loader leaks no tensor, whether an epoch is finished, abandoned, or cut by disposing the loader.</summary>
[Collection(LiveTensorCollection.Name)]
public sealed class DataLoaderLifetimeTests
{
    private static readonly ImageDataset Data = SyntheticDataset.Create(1000, 3, 8, 8, 10, seed: 5);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Epoch_Full_ReturnsTheLiveCountToItsStart(int prefetch)
    {
        using var loader = new DataLoader(Data, DataLoaderOptions.Training(64, 1, Device.Cpu) with { Prefetch = prefetch });
        var start = Tensor.LiveCount;

        var batches = 0;
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                batches++;
                Assert.True(Tensor.LiveCount - start <= 2 * (prefetch + 2), $"{Tensor.LiveCount - start} tensors alive");
            }
        }

        Assert.Equal(16, batches);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Epoch_AbandonedAfterTwoBatches_ReturnsTheLiveCountToItsStart(int prefetch)
    {
        using var loader = new DataLoader(Data, DataLoaderOptions.Training(64, 1, Device.Cpu) with { Prefetch = prefetch });
        var start = Tensor.LiveCount;

        var taken = 0;
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            if (++taken == 2)
            {
                Thread.Sleep(50); // let the background thread fill its queue
                break;
            }
        }

        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void TwoViewAndUnlabeledEpochs_Abandoned_ReturnTheLiveCountToItsStart()
    {
        using var loader = new DataLoader(Data, DataLoaderOptions.Training(64, 1, Device.Cpu));
        var start = Tensor.LiveCount;

        foreach (var batch in loader.TwoViewEpoch(3))
        {
            batch.Dispose();
            break;
        }

        foreach (var batch in loader.UnlabeledEpoch(3))
        {
            batch.Dispose();
            break;
        }

        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Dispose_WithAnEpochOpen_FreesThePreparedBatchesAndStopsTheEpoch()
    {
        var loader = new DataLoader(Data, DataLoaderOptions.Training(64, 1, Device.Cpu));
        var start = Tensor.LiveCount;
        using var epoch = loader.Epoch(0).GetEnumerator();
        Assert.True(epoch.MoveNext());
        var kept = epoch.Current;
        Thread.Sleep(100); // let the background thread fill its queue

        loader.Dispose();

        Assert.Equal(start + 2, Tensor.LiveCount); // only the batch handed out is alive
        Assert.False(kept.Images.IsDisposed);
        kept.Dispose();
        Assert.Equal(start, Tensor.LiveCount);
        Assert.Throws<ObjectDisposedException>(() => epoch.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => loader.Epoch(1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Epoch_BatchesTakenInsideAScope_AreNotDisposedByTheScope(int prefetch)
    {
        using var loader = new DataLoader(Data, DataLoaderOptions.Training(64, 1, Device.Cpu) with { Prefetch = prefetch });
        var start = Tensor.LiveCount;
        Batch batch;
        using (DisposeScope.Enter())
        {
            batch = loader.Epoch(0).First();
        }

        Assert.False(batch.Images.IsDisposed);
        Assert.False(batch.Labels.IsDisposed);
        batch.Dispose();
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Epoch_DeviceFailsOnTheBackgroundThread_RethrowsToTheConsumerWithoutLeaks()
    {
        using var loader = new DataLoader(Data, DataLoaderOptions.Training(64, 1, Device.Cuda(99)));
        var start = Tensor.LiveCount;

        Assert.Throws<TorchException>(() =>
        {
            foreach (var batch in loader.Epoch(0))
            {
                batch.Dispose();
            }
        });

        Assert.Equal(start, Tensor.LiveCount);
    }
}
