namespace Sweeps.Torch.Optim;

/// <summary>Argument checks of the schedules.</summary>
internal static class ScheduleChecks
{
    public static void Step(long step, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
    }
}
