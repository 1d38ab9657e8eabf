namespace Sweeps.Torch.Optim;

/// <summary>The factor 1 at every step (the learning rate stays at its initial value).</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>The one instance.</summary>
    public static ConstantSchedule Instance { get; } = new();

    private ConstantSchedule()
    {
    }

    /// <inheritdoc/>
    public double Factor(long step, long totalSteps)
    {
        ScheduleChecks.Step(step, totalSteps);
        return 1;
    }
}
