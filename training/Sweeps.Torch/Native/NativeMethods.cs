using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

/// <summary>
/// P/Invoke declarations of the shim, one partial file per export area (swTensor_, swNN_, ...).
/// Conventions: a handle-returning export returns IntPtr.Zero on failure, a status-returning export -1;
/// <see cref="Check(IntPtr)"/> and <see cref="Check(int)"/> turn that into a <see cref="TorchException"/>.
/// </summary>
internal static partial class NativeMethods
{
    private const string Lib = NativeLibraryLoader.LibraryName;

    internal static IntPtr Check(IntPtr result) => result == IntPtr.Zero ? throw TorchException.FromNative() : result;

    internal static int Check(int status) => status < 0 ? throw TorchException.FromNative() : status;

    internal static long Check(long status) => status < 0 ? throw TorchException.FromNative() : status;

    internal static string? LastError() => Marshal.PtrToStringUTF8(swError_last());

    [LibraryImport(Lib)]
    internal static partial IntPtr swError_last();

    [LibraryImport(Lib)]
    internal static partial void swError_clear();

    [LibraryImport(Lib)]
    internal static partial int swTorch_tuneMalloc(long mmapThreshold, long trimThreshold);

    [LibraryImport(Lib)]
    internal static partial int swTorch_setNumThreads(int threads);

    [LibraryImport(Lib)]
    internal static partial int swTorch_getNumThreads();

    [LibraryImport(Lib)]
    internal static partial int swTorch_cudaIsAvailable();

    [LibraryImport(Lib)]
    internal static partial int swTorch_cudaDeviceCount();

    [LibraryImport(Lib)]
    internal static partial int swTorch_cudaSynchronize(int device);

    [LibraryImport(Lib)]
    internal static partial int swTorch_manualSeed(ulong seed);

    [LibraryImport(Lib)]
    internal static partial long swTorch_liveTensors();

    [LibraryImport(Lib)]
    internal static unsafe partial int swTorch_mallocStats(long* stats);

    [LibraryImport(Lib)]
    internal static partial int swTorch_mallocTrim();

    [LibraryImport(Lib)]
    internal static partial IntPtr swTorch_version();

    [LibraryImport(Lib)]
    internal static partial GeneratorHandle swGenerator_create(ulong seed);

    [LibraryImport(Lib)]
    internal static partial void swGenerator_free(IntPtr generator);

    [LibraryImport(Lib)]
    internal static partial int swGenerator_setSeed(GeneratorHandle generator, ulong seed);

    [LibraryImport(Lib)]
    internal static partial IntPtr swGenerator_getState(GeneratorHandle generator);

    [LibraryImport(Lib)]
    internal static partial int swGenerator_setState(GeneratorHandle generator, TensorHandle state);
}
