using Sweeps.Torch.Native;

namespace Sweeps.Torch.Optim;

/// <summary>Stochastic gradient descent with momentum, dampening, weight decay and Nesterov
/// momentum, as PyTorch's <c>torch.optim.SGD</c> (see <see cref="SgdOptions"/>).</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>An optimizer over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Invalid options or parameters (see <see cref="Sgd(IEnumerable{ParamGroup}, SgdOptions)"/>).</exception>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions options)
        : this([new ParamGroup(parameters)], options)
    {
    }

    /// <summary>An optimizer over several groups; a group's learning rate and weight decay override the options'.</summary>
    /// <param name="groups">The groups (at least one; each tensor a leaf that requires a gradient, in one group only).</param>
    /// <param name="options">The defaults of every group.</param>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range.</exception>
    /// <exception cref="ArgumentException">No group, Nesterov without momentum or with dampening, a tensor
    /// that is not a leaf requiring a gradient, or a tensor in two places.</exception>
    public Sgd(IEnumerable<ParamGroup> groups, SgdOptions options)
        : base(groups, Checked(options).LearningRate, options.WeightDecay, () => Create(options), (h, p, lr, wd) => Add(h, p, lr, wd, options))
    {
        Options = options;
    }

    /// <summary>The defaults given at construction.</summary>
    public SgdOptions Options { get; }

    private static SgdOptions Checked(SgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private static OptimizerHandle Create(SgdOptions o) =>
        NativeMethods.swOptim_sgdCreate(o.LearningRate, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov ? 1 : 0);

    private static unsafe int Add(OptimizerHandle handle, IntPtr[] parameters, double lr, double wd, SgdOptions o)
    {
        fixed (IntPtr* p = parameters)
        {
            return NativeMethods.swOptim_sgdAddGroup(handle, p, parameters.Length, lr, o.Momentum, o.Dampening, wd, o.Nesterov ? 1 : 0);
        }
    }
}
