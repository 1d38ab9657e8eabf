namespace Sweeps.Torch.Optim;

/// <summary>
/// The tensors one optimizer updates with the same options, plus the options of this group that
/// differ from the optimizer's defaults (learning rate, weight decay). Every other hyper-parameter
/// (momentum, betas, ...) is shared by all groups of an optimizer.
/// </summary>
/// <remarks>
/// The group does not own its tensors: it only holds the references. The optimizer that is built
/// from it keeps its own native references, so disposing the <see cref="Tensor"/> objects after
/// construction does not stop the optimizer from updating the underlying parameters.
/// </remarks>
/// <example><code>
/// var adam = new Adam(
///     [new ParamGroup(weights, learningRate: 1e-3, weightDecay: 1e-4),
///      new ParamGroup(quantizerParams, learningRate: 1e-5, weightDecay: 0)],
///     new AdamOptions());
/// </code></example>
public sealed class ParamGroup
{
    /// <summary>Creates a group.</summary>
    /// <param name="parameters">The tensors: leaves that require a gradient; at least one.</param>
    /// <param name="learningRate">This group's learning rate (&gt;= 0); null for the optimizer's default.</param>
    /// <param name="weightDecay">This group's weight decay (&gt;= 0); null for the optimizer's default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">The group is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative or non-finite learning rate or weight decay.</exception>
    public ParamGroup(IEnumerable<Tensor> parameters, double? learningRate = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("a parameter group needs at least one tensor", nameof(parameters));
        }

        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentNullException(nameof(parameters), $"parameter {i} of the group is null");
            }
        }

        if (learningRate is { } lr)
        {
            OptimizerChecks.NonNegative(lr, nameof(learningRate));
        }

        if (weightDecay is { } wd)
        {
            OptimizerChecks.NonNegative(wd, nameof(weightDecay));
        }

        Parameters = list;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The tensors of the group, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>This group's learning rate, or null for the optimizer's default.</summary>
    public double? LearningRate { get; }

    /// <summary>This group's weight decay, or null for the optimizer's default.</summary>
    public double? WeightDecay { get; }
}
