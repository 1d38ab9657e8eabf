namespace Sweeps.Torch.Optim;

/// <summary>
/// Cosine annealing to zero (Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm
/// Restarts", 2017, without restarts): factor(t) = (1 + cos(pi t / T)) / 2 for t in [0, T], and 0
/// for t &gt;= T, with T the total number of steps. Equal to PyTorch's
/// <c>CosineAnnealingLR(T_max=T, eta_min=0)</c> for t &lt;= T (PyTorch rises again after T; this
/// schedule stays at 0).
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    /// <summary>The one instance (the schedule has no parameters).</summary>
    public static CosineSchedule Instance { get; } = new();

    private CosineSchedule()
    {
    }

    /// <inheritdoc/>
    public double Factor(long step, long totalSteps)
    {
        ScheduleChecks.Step(step, totalSteps);
        return step >= totalSteps ? 0 : 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps));
    }
}
