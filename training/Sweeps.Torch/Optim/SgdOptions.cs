namespace Sweeps.Torch.Optim;

/// <summary>
/// Hyper-parameters of <see cref="Sgd"/>, with the meaning of PyTorch's <c>torch.optim.SGD</c>:
/// with g = grad + weightDecay p, the buffer b = momentum b + (1 - dampening) g (b = g at the first
/// step), the update is p -= lr (g + momentum b) with Nesterov, p -= lr b without.
/// </summary>
/// <param name="LearningRate">Step size (&gt;= 0).</param>
/// <param name="Momentum">Momentum factor (&gt;= 0); 0 disables the buffer.</param>
/// <param name="Dampening">Dampening of the momentum (&gt;= 0); must be 0 with Nesterov.</param>
/// <param name="WeightDecay">L2 penalty added to the gradient (&gt;= 0).</param>
/// <param name="Nesterov">Nesterov momentum (needs momentum &gt; 0 and dampening 0).</param>
public sealed record SgdOptions(double LearningRate, double Momentum = 0, double Dampening = 0, double WeightDecay = 0, bool Nesterov = false)
{
    /// <summary>Throws if an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative or non-finite value.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening.</exception>
    public void Validate()
    {
        OptimizerChecks.NonNegative(LearningRate, nameof(LearningRate));
        OptimizerChecks.NonNegative(Momentum, nameof(Momentum));
        OptimizerChecks.NonNegative(Dampening, nameof(Dampening));
        OptimizerChecks.NonNegative(WeightDecay, nameof(WeightDecay));
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum > 0 and a dampening of 0");
        }
    }
}
