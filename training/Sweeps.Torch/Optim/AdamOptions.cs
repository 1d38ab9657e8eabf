namespace Sweeps.Torch.Optim;

/// <summary>
/// Hyper-parameters of <see cref="Adam"/> and <see cref="AdamW"/>, with the meaning of PyTorch's
/// <c>torch.optim.Adam</c> / <c>AdamW</c> (Kingma and Ba, "Adam: A Method for Stochastic
/// Optimization", 2015; Loshchilov and Hutter, "Decoupled Weight Decay Regularization", 2019).
/// </summary>
/// <param name="LearningRate">Step size (&gt;= 0).</param>
/// <param name="Beta1">Decay of the first moment, in [0, 1).</param>
/// <param name="Beta2">Decay of the second moment, in [0, 1).</param>
/// <param name="Eps">Added to the denominator (&gt; 0).</param>
/// <param name="WeightDecay">Adam: L2 penalty added to the gradient; AdamW: decoupled decay,
/// p -= lr weightDecay p before the Adam update (&gt;= 0). Note that PyTorch's AdamW defaults to
/// 0.01; here the default is 0 for both, so pass it explicitly.</param>
/// <param name="AmsGrad">Use the maximum of past second moments (AMSGrad).</param>
public sealed record AdamOptions(
    double LearningRate = 1e-3,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    double WeightDecay = 0,
    bool AmsGrad = false)
{
    /// <summary>Throws if an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of its range.</exception>
    public void Validate()
    {
        OptimizerChecks.NonNegative(LearningRate, nameof(LearningRate));
        OptimizerChecks.Beta(Beta1, nameof(Beta1));
        OptimizerChecks.Beta(Beta2, nameof(Beta2));
        OptimizerChecks.Positive(Eps, nameof(Eps));
        OptimizerChecks.NonNegative(WeightDecay, nameof(WeightDecay));
    }
}
