namespace Sweeps.Torch;

/// <summary>glibc heap figures of this process, in bytes (see <see cref="Torch.NativeHeap"/>).</summary>
/// <param name="HeldBytes">Obtained from the system: heaps and arenas plus mmapped blocks.</param>
/// <param name="InUseBytes">Allocated and not yet freed.</param>
/// <param name="FreeBytes">Free inside the heaps (kept for reuse; not returned to the system).</param>
public readonly record struct NativeHeapStats(long HeldBytes, long InUseBytes, long FreeBytes);
