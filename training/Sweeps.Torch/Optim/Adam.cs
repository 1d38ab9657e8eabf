using Sweeps.Torch.Native;

namespace Sweeps.Torch.Optim;

/// <summary>Adam (with optional AMSGrad), as PyTorch's <c>torch.optim.Adam</c>: weight decay is an L2
/// penalty added to the gradient (see <see cref="AdamOptions"/>).</summary>
public sealed class Adam : Optimizer
{
    /// <summary>An optimizer over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Invalid options or parameters (see <see cref="Adam(IEnumerable{ParamGroup}, AdamOptions)"/>).</exception>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions options)
        : this([new ParamGroup(parameters)], options)
    {
    }

    /// <summary>An optimizer over several groups; a group's learning rate and weight decay override the options'.</summary>
    /// <param name="groups">The groups (at least one; each tensor a leaf that requires a gradient, in one group only).</param>
    /// <param name="options">The defaults of every group.</param>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range.</exception>
    /// <exception cref="ArgumentException">No group, a tensor that is not a leaf requiring a gradient,
    /// or a tensor in two places.</exception>
    public Adam(IEnumerable<ParamGroup> groups, AdamOptions options)
        : base(groups, AdamNative.Checked(options).LearningRate, options.WeightDecay, () => AdamNative.Create(options, decoupled: false), (h, p, lr, wd) => AdamNative.Add(h, p, lr, wd, options, decoupled: false))
    {
        Options = options;
    }

    /// <summary>The defaults given at construction.</summary>
    public AdamOptions Options { get; }
}
