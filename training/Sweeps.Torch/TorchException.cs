using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>An error raised by libtorch (for example a shape mismatch), carrying libtorch's message.</summary>
/// <remarks>The native call that failed has had no effect on the process beyond its own failure:
/// the caller may catch this exception and continue.</remarks>
public sealed class TorchException : Exception
{
    /// <summary>Creates an exception with libtorch's message.</summary>
    public TorchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public TorchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception without a message.</summary>
    public TorchException()
    {
    }

    /// <summary>Builds the exception from this thread's last native error and clears it.</summary>
    internal static TorchException FromNative()
    {
        var message = NativeMethods.LastError() ?? "libtorch call failed without a message";
        NativeMethods.swError_clear();
        return new TorchException(message);
    }
}
