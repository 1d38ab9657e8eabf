using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swAutograd_backward(TensorHandle t, IntPtr grad, int retainGraph, int createGraph);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swAutograd_grad(IntPtr* outputs, IntPtr* gradOutputs, int nOutputs, IntPtr* inputs, int nInputs, int retainGraph, int createGraph, int allowUnused, IntPtr* result);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swAutograd_setGradEnabled(int enabled);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swAutograd_isGradEnabled();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swAutograd_ewgsRound(TensorHandle xhat, long levels, double delta);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swAutograd_ewgsQuantize(TensorHandle x, TensorHandle lower, TensorHandle upper, TensorHandle scale, long levels, double delta, long mode);
}
