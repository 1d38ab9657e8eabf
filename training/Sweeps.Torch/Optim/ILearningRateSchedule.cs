namespace Sweeps.Torch.Optim;

/// <summary>
/// A learning-rate schedule: the factor by which a group's initial learning rate is multiplied at
/// a step. A "step" is whatever unit the caller counts (an iteration or an epoch); the schedule
/// only sees the counter and the total in that same unit.
/// </summary>
/// <remarks>Implementations are immutable and thread-safe.</remarks>
public interface ILearningRateSchedule
{
    /// <summary>The factor at <paramref name="step"/> (0-based: step 0 is the first optimizer step).</summary>
    /// <param name="step">The step counter, &gt;= 0.</param>
    /// <param name="totalSteps">The number of steps of the whole run, &gt; 0.</param>
    /// <returns>A finite factor &gt;= 0.</returns>
    double Factor(long step, long totalSteps);
}
