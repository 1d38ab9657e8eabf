using System.Runtime.InteropServices;
using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>Process-wide libtorch settings and facts.</summary>
/// <remarks>
/// When the shim is first loaded, glibc malloc is tuned (blocks up to 32 MiB stay in the heap,
/// the heap is not trimmed) so that activation buffers are reused across training steps instead
/// of being unmapped and faulted in again, and libtorch's intra-op thread count is set to the
/// number of cores (libtorch itself may default to one thread).
/// </remarks>
public static class Torch
{
    /// <summary>libtorch's intra-op thread count (default: all cores).</summary>
    public static int NumThreads => NativeMethods.Check(NativeMethods.swTorch_getNumThreads());

    /// <summary>Sets libtorch's intra-op thread count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">threads is below 1.</exception>
    public static void SetNumThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        NativeMethods.Check(NativeMethods.swTorch_setNumThreads(threads));
    }

    /// <summary>Whether libtorch was built with CUDA and a GPU is visible.</summary>
    public static bool CudaIsAvailable => NativeMethods.Check(NativeMethods.swTorch_cudaIsAvailable()) == 1;

    /// <summary>Number of visible CUDA devices (0 without CUDA).</summary>
    public static int CudaDeviceCount => NativeMethods.Check(NativeMethods.swTorch_cudaDeviceCount());

    /// <summary>Waits for every kernel queued on a CUDA device (no-op without CUDA).</summary>
    public static void CudaSynchronize(int device = 0) => NativeMethods.Check(NativeMethods.swTorch_cudaSynchronize(device));

    /// <summary>Every local device: <c>cuda:0..N-1</c> when CUDA is available, else <c>cpu</c>.</summary>
    public static IReadOnlyList<Device> LocalDevices() =>
        CudaIsAvailable ? Enumerable.Range(0, CudaDeviceCount).Select(Device.Cuda).ToArray() : [Device.Cpu];

    /// <summary>Seeds libtorch's global generators (CPU and CUDA).</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.Check(NativeMethods.swTorch_manualSeed(seed));

    /// <summary>Native tensor handles alive in the shim (created and not freed, disposed or finalized).</summary>
    public static long LiveNativeTensors => NativeMethods.swTorch_liveTensors();

    /// <summary>
    /// glibc's heap figures for this process (mallinfo2), in bytes: native memory held from the system
    /// (heaps and mmapped blocks), in use, and free inside the heaps. For memory diagnostics.
    /// </summary>
    public static unsafe NativeHeapStats NativeHeap
    {
        get
        {
            var stats = stackalloc long[4];
            NativeMethods.Check(NativeMethods.swTorch_mallocStats(stats));
            return new NativeHeapStats(stats[0] + stats[1], stats[2], stats[3]);
        }
    }

    /// <summary>
    /// Returns the native heap's free memory to the system (glibc's <c>malloc_trim</c> over every arena). During a run
    /// freed buffers stay in the heap for the next step (see the malloc tuning); call this after a run, so that a
    /// process that runs many (a sweep) does not keep each run's peak. Cheap (milliseconds); the next run faults its
    /// pages in again once.
    /// </summary>
    /// <returns>Whether any memory was released.</returns>
    public static bool ReleaseFreeMemory() => NativeMethods.swTorch_mallocTrim() != 0;

    /// <summary>The libtorch version the shim was built against (e.g. "1.13.0").</summary>
    public static string LibTorchVersion => Marshal.PtrToStringUTF8(NativeMethods.swTorch_version()) ?? "unknown";
}
