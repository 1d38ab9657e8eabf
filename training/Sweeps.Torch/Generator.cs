using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>
/// A seedable random generator (libtorch's CPU generator). Random tensors for other devices are
/// drawn on the CPU and moved, so a seed yields the same numbers on every device.
/// </summary>
/// <remarks>Thread-safe (libtorch locks the generator); owns native memory: dispose it.</remarks>
public sealed class Generator : IDisposable
{
    private readonly GeneratorHandle _handle;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        _handle = NativeMethods.swGenerator_create(seed);
        if (_handle.IsInvalid)
        {
            throw TorchException.FromNative();
        }
    }

    internal static IntPtr RawOrZero(Generator? g) =>
        g is null ? IntPtr.Zero
        : g._handle.IsClosed ? throw new ObjectDisposedException(nameof(Generator))
        : g._handle.DangerousGetHandle();

    /// <summary>Reseeds the generator.</summary>
    public void SetSeed(ulong seed) => NativeMethods.Check(NativeMethods.swGenerator_setSeed(_handle, seed));

    /// <summary>The generator's full state (a uint8 tensor), for checkpoints.</summary>
    public Tensor GetState() => Tensor.Wrap(NativeMethods.swGenerator_getState(_handle));

    /// <summary>Restores a state obtained from <see cref="GetState"/>.</summary>
    public void SetState(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        NativeMethods.Check(NativeMethods.swGenerator_setState(_handle, state.Handle));
    }

    /// <summary>Frees the native generator.</summary>
    public void Dispose() => _handle.Dispose();
}
