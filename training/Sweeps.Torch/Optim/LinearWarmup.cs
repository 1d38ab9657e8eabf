namespace Sweeps.Torch.Optim;

/// <summary>
/// A linear warm-up before another schedule: for t &lt; W the factor rises linearly,
/// start + (1 - start) t / W (as PyTorch's <c>LinearLR(start_factor=start, total_iters=W)</c>);
/// from t = W on it is <c>after.Factor(t - W, T - W)</c>: the inner schedule starts at its own step 0
/// and spans the remaining steps (as PyTorch's <c>SequentialLR</c> with one milestone at W).
/// </summary>
public sealed class LinearWarmup : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">W, the number of warm-up steps (&gt;= 0; 0 means no warm-up).</param>
    /// <param name="startFactor">The factor at step 0, in [0, 1].</param>
    /// <param name="after">The schedule after the warm-up (e.g. <see cref="CosineSchedule.Instance"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative W or a start factor outside [0, 1].</exception>
    /// <exception cref="ArgumentNullException"><paramref name="after"/> is null.</exception>
    public LinearWarmup(long warmupSteps, double startFactor, ILearningRateSchedule after)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (startFactor is not (>= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "the start factor must be in [0, 1]");
        }

        ArgumentNullException.ThrowIfNull(after);
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
        After = after;
    }

    /// <summary>W, the number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>The factor at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>The schedule from step W on.</summary>
    public ILearningRateSchedule After { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">totalSteps &lt;= W (no step left for the inner
    /// schedule) or a negative step.</exception>
    public double Factor(long step, long totalSteps)
    {
        ScheduleChecks.Step(step, totalSteps);
        if (totalSteps <= WarmupSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"the run must be longer than the {WarmupSteps} warm-up steps");
        }

        return step < WarmupSteps
            ? StartFactor + ((1 - StartFactor) * step / WarmupSteps)
            : After.Factor(step - WarmupSteps, totalSteps - WarmupSteps);
    }
}
