using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_conv2d(TensorHandle x, TensorHandle weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_linear(TensorHandle x, TensorHandle weight, IntPtr bias);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_batchNorm(TensorHandle x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_relu(TensorHandle x);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swNN_relu_(TensorHandle x);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_maxPool2d(TensorHandle x, long* kernel, long* stride, long* padding);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_avgPool2d(TensorHandle x, long* kernel, long* stride, long* padding);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_adaptiveAvgPool2d(TensorHandle x, long* outputSize);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_dropout(TensorHandle x, double p, int training);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_softmax(TensorHandle x, long dim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_logSoftmax(TensorHandle x, long dim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_crossEntropy(TensorHandle logits, TensorHandle target, long reduction, double labelSmoothing);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_nllLoss(TensorHandle logp, TensorHandle target, long reduction);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_klDiv(TensorHandle input, TensorHandle target, long reduction, int logTarget);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_mseLoss(TensorHandle input, TensorHandle target, long reduction);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swNN_batchNorm2d(TensorHandle x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, IntPtr numBatchesTracked, int training, double momentum, double eps);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swNN_zeroGrad(IntPtr* parameters, int count, int setToNone);
}
