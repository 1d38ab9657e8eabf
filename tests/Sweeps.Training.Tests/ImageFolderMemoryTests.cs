using Sweeps.Training.Data;
using Xunit.Abstractions;

namespace Sweeps.Training.Tests;

/// <summary>Runs alone (no other test allocates meanwhile), so that the process's memory is this test's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "memory measurement";
}

/// <summary>A folder of 10,000 small images needs the decoded tensors plus a constant, when decoded and when read
/// from the cache.</summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class ImageFolderMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 10_000;
    private const int Size = 64;

    // What a load may hold besides the dataset's arrays: per core one file, its decoded image and the resize buffers,
    // the listing of 10,000 paths, the thread pool.
    private const long Constant = 16L << 20;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_TenThousandSmallImages_LiveMemoryIsTheDecodedTensorsPlusAConstant()
    {
        // 8x8 files upscaled to 64x64: 123 MB of decoded pixels from 10,000 files of about 100 bytes.
        var root = _dir.File("data");
        for (var i = 0; i < Images; i++)
        {
            ImageFolderWriter.Png(Path.Combine(root, "train", $"c{i % 10}", $"{i:D5}.png"), 8, 8, i);
        }

        var options = new ImageFolderOptions { ImageSize = Size, CacheDirectory = _dir.File("cache") };
        var decoded = (long)Images * 3 * Size * Size;

        var (first, decodePeak) = Measure(() => ImageFolderReader.Load(root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, options));
        Assert.Equal(Images, first.Count);
        Assert.Equal(decoded, first.Pixels.Length);
        first = null;

        var (second, cachedPeak) = Measure(() => ImageFolderReader.Load(root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, options));
        Assert.Equal(Images, second.Count);
        output.WriteLine($"decoded tensors {decoded / 1048576.0:F1} MB; peak live growth: decoding {decodePeak / 1048576.0:F1} MB, from the cache {cachedPeak / 1048576.0:F1} MB");

        Assert.InRange(decodePeak, decoded, decoded + Constant);
        Assert.InRange(cachedPeak, decoded, decoded + Constant);
        GC.KeepAlive(second);
    }

    // Runs the load while another thread measures the live managed heap (a full collection every 20 ms); returns
    // the result and the peak growth over the heap before the load. The loader holds no native memory.
    private static (ImageDataset Result, long PeakGrowth) Measure(Func<ImageDataset> load)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            do
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
            while (!done.Wait(20));
        });
        sampler.Start();
        var result = load();
        done.Set();
        sampler.Join();
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        return (result, peak);
    }
}
