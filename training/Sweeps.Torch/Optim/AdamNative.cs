using Sweeps.Torch.Native;

namespace Sweeps.Torch.Optim;

/// <summary>The native calls shared by <see cref="Adam"/> and <see cref="AdamW"/>.</summary>
internal static class AdamNative
{
    public static AdamOptions Checked(AdamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    public static OptimizerHandle Create(AdamOptions o, bool decoupled) =>
        decoupled
            ? NativeMethods.swOptim_adamwCreate(o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.AmsGrad ? 1 : 0)
            : NativeMethods.swOptim_adamCreate(o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.AmsGrad ? 1 : 0);

    public static unsafe int Add(OptimizerHandle handle, IntPtr[] parameters, double lr, double wd, AdamOptions o, bool decoupled)
    {
        fixed (IntPtr* p = parameters)
        {
            return decoupled
                ? NativeMethods.swOptim_adamwAddGroup(handle, p, parameters.Length, lr, o.Beta1, o.Beta2, o.Eps, wd, o.AmsGrad ? 1 : 0)
                : NativeMethods.swOptim_adamAddGroup(handle, p, parameters.Length, lr, o.Beta1, o.Beta2, o.Eps, wd, o.AmsGrad ? 1 : 0);
        }
    }
}
