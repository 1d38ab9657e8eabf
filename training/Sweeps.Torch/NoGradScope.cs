using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>
/// Turns gradient recording off (or on) on this thread until disposed, then restores the previous
/// mode. Grad mode is per thread: dispose on the thread that created the scope.
/// </summary>
public sealed class NoGradScope : IDisposable
{
    private readonly bool _previous;
    private bool _disposed;

    /// <summary>Sets the grad mode; <paramref name="enabled"/> false (the default) disables recording.</summary>
    public NoGradScope(bool enabled = false) =>
        _previous = NativeMethods.Check(NativeMethods.swAutograd_setGradEnabled(enabled ? 1 : 0)) == 1;

    /// <summary>Restores the grad mode that was in force before this scope.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NativeMethods.Check(NativeMethods.swAutograd_setGradEnabled(_previous ? 1 : 0));
    }
}
