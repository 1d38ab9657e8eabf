using Sweeps.Torch;

namespace Sweeps.Training.Data;

/// <summary>
/// Turns an <see cref="ImageDataset"/> into batches of normalised float32 images (N x C x H x W) and
/// int64 labels on a device, epoch by epoch.
/// </summary>
/// <remarks>
/// <para>Reproducibility: epoch e uses the seed s = <see cref="DataLoaderOptions.Seed"/> + e. The sample
/// order is a Fisher-Yates permutation drawn from s; batch b's augmentation (and view v's, for two views)
/// is drawn from its own stream derived from (s, b, v). An epoch's batches are therefore a function of
/// (dataset, options, e) alone: the same for every run, whichever epochs ran before (resume at epoch k
/// gives what an uninterrupted run gives), and independent of the prefetch depth.</para>
/// <para>Three ways to iterate an epoch, each with its own batch type: <see cref="Epoch"/> (images and
/// labels), <see cref="UnlabeledEpoch"/> (images only, for label-free methods: the batch type has no
/// labels), and <see cref="TwoViewEpoch"/> (two independently augmented views and labels, for CR).</para>
/// <para>Ownership: each batch belongs to the consumer, who disposes it; its tensors join no
/// <see cref="DisposeScope"/>. Batches are prepared on a background thread up to
/// <see cref="DataLoaderOptions.Prefetch"/> ahead; ending an iteration early (break, exception) stops that
/// thread and disposes the batches it prepared. Disposing the loader does the same for every iteration
/// still open. Not thread-safe: iterate and dispose from one thread at a time.</para>
/// </remarks>
public sealed class DataLoader : IDisposable
{
    private readonly float[][] _lut;
    private readonly HashSet<IDisposable> _open = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates a loader over a dataset.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is below 1, the crop padding negative, or the prefetch depth outside 0..4.</exception>
    public DataLoader(ImageDataset dataset, DataLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CropPadding ?? 0, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Prefetch, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Prefetch, 4, nameof(options));
        Dataset = dataset;
        Options = options;
        CropPadding = options.Augment ? options.CropPadding ?? DefaultPadding(dataset.Height, dataset.Width) : 0;
        _lut = dataset.Normalization.LookupTables();
        BatchesPerEpoch = options.DropLast
            ? dataset.Count / options.BatchSize
            : (dataset.Count + options.BatchSize - 1) / options.BatchSize;
    }

    /// <summary>The dataset batched.</summary>
    public ImageDataset Dataset { get; }

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Batches in every epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The zero padding of the random crop in effect (0 without augmentation).</summary>
    public int CropPadding { get; }

    /// <summary>The default crop padding: 4 pixels for images of 32 pixels or more (CIFAR), else 2 (28 x 28).</summary>
    public static int DefaultPadding(int height, int width) => Math.Min(height, width) >= 32 ? 4 : 2;

    /// <summary>The dataset indices in the order epoch <paramref name="epoch"/> visits them (all of them,
    /// including those a dropped last batch leaves out).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative.</exception>
    public int[] EpochOrder(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (!Options.Shuffle)
        {
            return Enumerable.Range(0, Dataset.Count).ToArray();
        }

        return new SplitMix64(SplitMix64.Hash(EpochSeed(epoch), 1)).Permutation(Dataset.Count);
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>: images and labels. Dispose each batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public IEnumerable<Batch> Epoch(int epoch) =>
        Iterate(epoch, (builder, b) =>
        {
            var images = builder.Images(b, 0);
            try
            {
                return new Batch(images, builder.Labels(b), builder.Indices(b).Length);
            }
            catch
            {
                images.Dispose();
                throw;
            }
        });

    /// <summary>The batches of epoch <paramref name="epoch"/> without labels (for label-free methods); the images
    /// are the same as <see cref="Epoch"/>'s. Dispose each batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public IEnumerable<UnlabeledBatch> UnlabeledEpoch(int epoch) =>
        Iterate(epoch, (builder, b) => new UnlabeledBatch(builder.Images(b, 0), builder.Indices(b).Length));

    /// <summary>The batches of epoch <paramref name="epoch"/> as two independently augmented views of the same
    /// samples, with their labels; view 1 equals <see cref="Epoch"/>'s images. Without augmentation the two
    /// views are equal. Dispose each batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public IEnumerable<TwoViewBatch> TwoViewEpoch(int epoch) =>
        Iterate(epoch, (builder, b) =>
        {
            var view1 = builder.Images(b, 0);
            Tensor? view2 = null;
            try
            {
                view2 = builder.Images(b, 1);
                return new TwoViewBatch(view1, view2, builder.Labels(b), builder.Indices(b).Length);
            }
            catch
            {
                view1.Dispose();
                view2?.Dispose();
                throw;
            }
        });

    /// <summary>Stops every iteration still open and disposes the batches prepared for it and not handed out.
    /// Batches already handed out stay the consumer's. Idempotent.</summary>
    public void Dispose()
    {
        IDisposable[] open;
        lock (_lock)
        {
            _disposed = true;
            open = [.. _open];
            _open.Clear();
        }

        foreach (var prefetcher in open)
        {
            prefetcher.Dispose();
        }
    }

    private ulong EpochSeed(int epoch) => unchecked((ulong)(Options.Seed + epoch));

    private IEnumerable<T> Iterate<T>(int epoch, Func<BatchBuilder, int, T> make)
        where T : class, IDisposable
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Options.Prefetch == 0 ? Synchronous(epoch, make) : Prefetched(epoch, make);
    }

    private BatchBuilder Builder(int epoch) => new(Dataset, Options, _lut, CropPadding, EpochOrder(epoch), EpochSeed(epoch));

    private IEnumerable<T> Synchronous<T>(int epoch, Func<BatchBuilder, int, T> make)
        where T : class, IDisposable
    {
        var builder = Builder(epoch);
        for (var b = 0; b < BatchesPerEpoch; b++)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            yield return make(builder, b);
        }
    }

    private IEnumerable<T> Prefetched<T>(int epoch, Func<BatchBuilder, int, T> make)
        where T : class, IDisposable
    {
        var builder = Builder(epoch);
        using var prefetcher = new Prefetcher<T>(BatchesPerEpoch, b => make(builder, b), Options.Prefetch);
        lock (_lock)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(DataLoader));
            }

            _open.Add(prefetcher);
        }

        try
        {
            while (prefetcher.TryTake(out var batch))
            {
                yield return batch;
            }
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(prefetcher);
            }
        }
    }
}
