namespace Sweeps.Torch.Tests;

/// <summary>The native heap after a run: <see cref="Torch.ReleaseFreeMemory"/> gives freed tensor memory back to the
/// system (the malloc tuning keeps it in the heap otherwise). Measures the process's RSS, so no other test runs meanwhile.</summary>
[Collection("LiveCount")]
public sealed class NativeHeapTests
{
    [Fact]
    public void ReleaseFreeMemory_AfterTensorsOfAThreadAreFreed_TheProcessRssFallsByMostOfThem()
    {
        // 12 tensors of 16 MiB (below the 32 MiB mmap threshold: they live in a malloc arena), zero-filled so their pages
        // are resident, then freed, on a thread of its own as a trial's training runs.
        const int count = 12;
        const long floats = 4L * 1024 * 1024;
        long freed = 0;
        long released = 0;
        var worker = new Thread(() =>
        {
            var tensors = Enumerable.Range(0, count).Select(_ => Tensor.Zeros([floats])).ToList();
            tensors.ForEach(t => t.Dispose());
            freed = Rss();
            Torch.ReleaseFreeMemory();
            released = Rss();
        });
        worker.Start();
        worker.Join();

        // Without the release the freed 192 MiB stay resident (the trim threshold is never reached); with it most go.
        Assert.True(freed - released >= 128L * 1024 * 1024, $"RSS {freed / 1048576} MiB after freeing, {released / 1048576} MiB after the release");
    }

    private static long Rss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
