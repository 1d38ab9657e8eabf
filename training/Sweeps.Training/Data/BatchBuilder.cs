using Sweeps.Torch;

namespace Sweeps.Training.Data;

/// <summary>
/// Builds the tensors of one epoch's batches from a dataset's bytes: gathers the samples, augments
/// and normalises them into a reused float buffer (in the memory order of the options' memory format), and copies
/// that into a new tensor on the device.
/// One instance per epoch iteration; used by one thread at a time.
/// </summary>
internal sealed class BatchBuilder
{
    private readonly ImageDataset _dataset;
    private readonly DataLoaderOptions _options;
    private readonly float[][] _lut;
    private readonly int _padding;
    private readonly int[] _order;
    private readonly ulong _epochSeed;
    private readonly float[] _pixels;
    private readonly long[] _labels;

    public BatchBuilder(ImageDataset dataset, DataLoaderOptions options, float[][] lut, int padding, int[] order, ulong epochSeed)
    {
        _dataset = dataset;
        _options = options;
        _lut = lut;
        _padding = padding;
        _order = order;
        _epochSeed = epochSeed;
        _pixels = new float[options.BatchSize * dataset.ImageSize];
        _labels = new long[options.BatchSize];
    }

    /// <summary>The dataset indices of batch <paramref name="batch"/>.</summary>
    public ReadOnlySpan<int> Indices(int batch)
    {
        var start = batch * _options.BatchSize;
        return _order.AsSpan(start, Math.Min(_options.BatchSize, _order.Length - start));
    }

    /// <summary>The images of a batch, view <paramref name="view"/> (views differ only in their augmentation draws).</summary>
    public Tensor Images(int batch, int view)
    {
        var indices = Indices(batch);
        var size = _dataset.ImageSize;
        var pixels = _dataset.PixelArray;
        var rng = new SplitMix64(SplitMix64.Hash(_epochSeed, 2, (ulong)batch, (ulong)view));
        var span = 2 * _padding + 1;
        var channelsLast = _options.MemoryFormat == MemoryFormat.ChannelsLast;
        for (var i = 0; i < indices.Length; i++)
        {
            int offsetY = _padding, offsetX = _padding;
            var flip = false;
            if (_options.Augment)
            {
                offsetY = rng.NextInt(span);
                offsetX = rng.NextInt(span);
                flip = _options.HorizontalFlip && rng.NextBool();
            }

            Augmentation.Write(
                pixels.AsSpan(indices[i] * size, size), _dataset.Channels, _dataset.Height, _dataset.Width,
                _padding, offsetY, offsetX, flip, _lut, _pixels.AsSpan(i * size, size), channelsLast);
        }

        ReadOnlySpan<long> shape = [indices.Length, _dataset.Channels, _dataset.Height, _dataset.Width];
        return DisposeScope.Detach(Tensor.From<float>(_pixels.AsSpan(0, indices.Length * size), shape, _options.MemoryFormat, _options.Device));
    }

    /// <summary>The labels of a batch.</summary>
    public Tensor Labels(int batch)
    {
        var indices = Indices(batch);
        var labels = _dataset.LabelArray;
        for (var i = 0; i < indices.Length; i++)
        {
            _labels[i] = labels[indices[i]];
        }

        ReadOnlySpan<long> shape = [indices.Length];
        return DisposeScope.Detach(Tensor.From<long>(_labels.AsSpan(0, indices.Length), shape, _options.Device));
    }
}
