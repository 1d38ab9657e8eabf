using System.Diagnostics;
using System.Globalization;
using StbImageWriteSharp;
using Sweeps.Torch;
using Sweeps.Torch.Optim;
using Sweeps.Training.Data;
using Sweeps.Training.Models;

namespace Sweeps.Bench;

/// <summary>
/// <c>./sweeps.sh bench loader</c>: writes an image folder (N images of S x S, half PNG, half JPEG), decodes it once
/// (seconds, peak RSS growth against the decoded bytes), loads it again from the cache, then measures the data
/// loader's images/s with augmentation (random crop + flip, one thread, no prefetch: the producer's own rate) against
/// resnet18's training images/s at S x S on the same machine.
/// </summary>
internal static class LoaderBench
{
    public static int Run(int images, int size, int classes, int batch, int threads, int trainSteps, int loaderBatches, string folder)
    {
        var inv = CultureInfo.InvariantCulture;
        Write(folder, images, size, classes);
        var cache = Path.Combine(folder, "cache");
        var options = new ImageFolderOptions { CacheDirectory = cache };

        GC.Collect();
        var rssBefore = ProcStatus("VmRSS");
        ResetPeak();
        var clock = Stopwatch.StartNew();
        var dataset = ImageFolderReader.Load(Path.Combine(folder, "data"), DatasetSplit.Train, ImageFolderLayout.ImageFolder, options);
        var decodeSeconds = clock.Elapsed.TotalSeconds;
        var peakGrowth = ProcStatus("VmHWM") - rssBefore;
        var decodedMb = (double)dataset.Count * dataset.ImageSize / 1048576.0;
        dataset = null;
        GC.Collect();
        clock.Restart();
        dataset = ImageFolderReader.Load(Path.Combine(folder, "data"), DatasetSplit.Train, ImageFolderLayout.ImageFolder, options);
        var cachedSeconds = clock.Elapsed.TotalSeconds;

        // The loader: batches of augmented, normalised float tensors, built on this thread.
        using var loader = new DataLoader(dataset, DataLoaderOptions.Training(batch, 0, Device.Cpu) with { Prefetch = 0 });
        var produced = 0;
        var epoch = 0;
        clock.Restart();
        while (produced < loaderBatches * batch)
        {
            foreach (var b in loader.Epoch(epoch++))
            {
                using (b)
                {
                    produced += b.Count;
                }

                if (produced >= loaderBatches * batch)
                {
                    break;
                }
            }
        }

        var loaderRate = produced / clock.Elapsed.TotalSeconds;

        // resnet18 training steps at the same size (small-input stem below 128 pixels).
        Sweeps.Torch.Torch.SetNumThreads(threads);
        using var generator = new Generator(0);
        using var model = ModelRegistry.Create("resnet18", 3, classes, FullPrecisionLayerFactory.Instance, generator, size);
        model.Train();
        using var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true));
        using var x = DisposeScope.Detach(Tensor.Randn([batch, 3, size, size], generator));
        using var y = DisposeScope.Detach(Tensor.RandInt(0, classes, [batch], generator));
        void Step()
        {
            using var scope = DisposeScope.Enter();
            optimizer.ZeroGrad();
            Functional.CrossEntropy(model.Forward(x), y).Backward();
            optimizer.Step();
        }

        Step();
        clock.Restart();
        for (var i = 0; i < trainSteps; i++)
        {
            Step();
        }

        var trainRate = trainSteps * batch / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv, $"decode once: {images} images of {size}x{size} (PNG and JPEG) in {decodeSeconds:F1} s ({images / decodeSeconds:F0} images/s, {Environment.ProcessorCount} cores); from the cache: {cachedSeconds:F2} s"));
        Console.WriteLine(string.Create(inv, $"decode memory: decoded tensors {decodedMb:F1} MB, peak RSS growth while decoding {peakGrowth:F1} MB (excess {peakGrowth - decodedMb:F1} MB)"));
        Console.WriteLine(string.Create(inv, $"loader: {loaderRate:F0} images/s at {size}x{size} with augmentation (one thread, batch {batch}, {produced} images)"));
        Console.WriteLine(string.Create(inv, $"resnet18 training: {trainRate:F1} images/s at {size}x{size} (batch {batch}, {threads} threads, {trainSteps} steps)"));
        Console.WriteLine(string.Create(inv, $"loader/training ratio: {loaderRate / trainRate:F1}x (goal >= 5x)"));
        return 0;
    }

    private static void Write(string folder, int images, int size, int classes)
    {
        var writer = new ImageWriter();
        var pixels = new byte[size * size * 3];
        var random = new Random(1);
        for (var i = 0; i < images; i++)
        {
            var label = i % classes;
            var dir = Path.Combine(folder, "data", "train", $"c{label:D2}");
            Directory.CreateDirectory(dir);
            for (var p = 0; p < pixels.Length; p++)
            {
                pixels[p] = (byte)((((p / 3 % size) * (label + 1) * 7) + (p / 3 / size * 5) + random.Next(40)) & 0xFF);
            }

            using var stream = File.Create(Path.Combine(dir, i % 2 == 0 ? $"{i:D5}.png" : $"{i:D5}.jpg"));
            if (i % 2 == 0)
            {
                writer.WritePng(pixels, size, size, ColorComponents.RedGreenBlue, stream);
            }
            else
            {
                writer.WriteJpg(pixels, size, size, ColorComponents.RedGreenBlue, stream, 90);
            }
        }
    }

    // Writing 5 to /proc/self/clear_refs resets VmHWM to the current RSS (Linux).
    private static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
    }

    private static double ProcStatus(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(key.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
