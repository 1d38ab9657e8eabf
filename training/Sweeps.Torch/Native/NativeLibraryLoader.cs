using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

/// <summary>
/// Finds libsweeps_native.so and prepares the process the first time the library is loaded:
/// glibc malloc tuning (before libtorch allocates), then the libtorch thread count (all cores).
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "sweeps_native";
    private const string FileName = "libsweeps_native.so";

    /// <summary>Environment variable naming the shim's full path, overriding every other place.</summary>
    internal const string PathVariable = "SWEEPS_NATIVE_LIB";

    /// <summary>glibc's largest mmap threshold on 64-bit (32 MiB): smaller blocks stay in the heap.</summary>
    internal const long MmapThresholdBytes = 32L * 1024 * 1024;

    /// <summary>Trim threshold: the heap top is practically never returned to the kernel.</summary>
    internal const long TrimThresholdBytes = int.MaxValue;

    /// <summary>Environment variable: <c>0</c> leaves glibc malloc at its defaults (to measure the tuning's effect).</summary>
    internal const string MallocTuningVariable = "SWEEPS_MALLOC_TUNING";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Usage", "CA2255", Justification = "The resolver must be registered before any P/Invoke of this library runs.")]
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName)
        {
            return IntPtr.Zero;
        }

        var tried = new List<string>();
        foreach (var candidate in Candidates())
        {
            tried.Add(candidate);
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                Initialize(handle);
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"{FileName} (the Sweeps libtorch shim) was not found or could not be loaded. Build it with "
            + $"'./sweeps.sh setup', or set {PathVariable} to its path. Looked in: {string.Join(", ", tried)}");
    }

    private static IEnumerable<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return fromEnvironment;
        }

        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var built = Path.Combine(dir.FullName, "training", "native", "build", FileName);
            if (File.Exists(built))
            {
                yield return built;
                yield break;
            }
        }
    }

    private static unsafe void Initialize(IntPtr library)
    {
        if (Environment.GetEnvironmentVariable(MallocTuningVariable) != "0")
        {
            var tune = (delegate* unmanaged<long, long, int>)NativeLibrary.GetExport(library, "swTorch_tuneMalloc");
            _ = tune(MmapThresholdBytes, TrimThresholdBytes);
        }

        var setThreads = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "swTorch_setNumThreads");
        _ = setThreads(Environment.ProcessorCount);
    }
}
