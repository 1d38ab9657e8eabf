using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial OptimizerHandle swOptim_sgdCreate(double lr, double momentum, double dampening, double weightDecay, int nesterov);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_sgdAddGroup(OptimizerHandle opt, IntPtr* parameters, int count, double lr, double momentum, double dampening, double weightDecay, int nesterov);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial OptimizerHandle swOptim_adamCreate(double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_adamAddGroup(OptimizerHandle opt, IntPtr* parameters, int count, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial OptimizerHandle swOptim_adamwCreate(double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_adamwAddGroup(OptimizerHandle opt, IntPtr* parameters, int count, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void swOptim_free(IntPtr opt);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_step(OptimizerHandle opt);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_zeroGrad(OptimizerHandle opt, int setToNone);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_groupCount(OptimizerHandle opt);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_getLr(OptimizerHandle opt, int group, out double lr);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_setLr(OptimizerHandle opt, int group, double lr);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_save(OptimizerHandle opt, string path);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_load(OptimizerHandle opt, string path);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swOptim_tensorId(TensorHandle tensor, out long id);
}
