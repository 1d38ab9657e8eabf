using Microsoft.Win32.SafeHandles;

namespace Sweeps.Torch.Native;

/// <summary>Owns one at::Tensor* of the shim; released with swTensor_free.</summary>
internal sealed class TensorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public TensorHandle()
        : base(ownsHandle: true)
    {
    }

    public TensorHandle(IntPtr handle)
        : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        NativeMethods.swTensor_free(handle);
        return true;
    }
}

/// <summary>Owns one at::Generator* of the shim.</summary>
internal sealed class GeneratorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public GeneratorHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.swGenerator_free(handle);
        return true;
    }
}

/// <summary>Owns one torch::optim::Optimizer* of the shim.</summary>
internal sealed class OptimizerHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OptimizerHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.swOptim_free(handle);
        return true;
    }
}
