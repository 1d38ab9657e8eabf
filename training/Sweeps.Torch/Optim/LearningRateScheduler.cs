using System.Globalization;

namespace Sweeps.Torch.Optim;

/// <summary>
/// Applies a schedule to every group of an optimizer: at position t the learning rate of group g
/// is <c>optimizer.InitialLearningRates[g] * schedule.Factor(t, totalSteps)</c>, so all groups keep
/// their ratios (e.g. weights at 1e-3 and quantizer parameters at 1e-5 decay together).
/// </summary>
/// <remarks>
/// <para>A step is the caller's unit: call <see cref="Advance"/> once per iteration (after
/// <see cref="Optimizer.Step"/>) for a per-iteration schedule, or once per epoch for a per-epoch one,
/// with <c>totalSteps</c> counted in the same unit. Position t means "the next optimizer step is the
/// t-th" (0-based); the constructor applies position 0, as PyTorch's schedulers do.</para>
/// <para>For resume, store <see cref="Position"/> with the checkpoint and call
/// <see cref="SetPosition"/> on a new scheduler over the restored optimizer.</para>
/// <para>Not thread-safe. The scheduler does not own the optimizer.</para>
/// </remarks>
public sealed class LearningRateScheduler
{
    private readonly Optimizer _optimizer;

    /// <summary>Creates the scheduler and applies position 0.</summary>
    /// <param name="optimizer">The optimizer whose groups follow the schedule.</param>
    /// <param name="schedule">The schedule.</param>
    /// <param name="totalSteps">The number of steps of the whole run (&gt; 0), in the caller's unit.</param>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException">totalSteps &lt;= 0.</exception>
    public LearningRateScheduler(Optimizer optimizer, ILearningRateSchedule schedule, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        _optimizer = optimizer;
        Schedule = schedule;
        TotalSteps = totalSteps;
        SetPosition(0);
    }

    /// <summary>The schedule.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>The number of steps of the run.</summary>
    public long TotalSteps { get; }

    /// <summary>The current position: the index of the next optimizer step (0-based).</summary>
    public long Position { get; private set; }

    /// <summary>The factor applied at the current position.</summary>
    public double CurrentFactor { get; private set; }

    /// <summary>Moves to the next position and applies it; returns the new position.</summary>
    public long Advance()
    {
        SetPosition(Position + 1);
        return Position;
    }

    /// <summary>Moves to a position (any, forward or back: e.g. the one saved with a checkpoint) and
    /// sets every group's learning rate for it. Positions past <see cref="TotalSteps"/> are allowed
    /// and get the schedule's factor there.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative position.</exception>
    public void SetPosition(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var factor = Schedule.Factor(position, TotalSteps);
        if (!double.IsFinite(factor) || factor < 0)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"the schedule gave the factor {factor} at step {position}; it must be finite and >= 0"));
        }

        var initial = _optimizer.InitialLearningRates;
        for (var g = 0; g < initial.Count; g++)
        {
            _optimizer.SetLearningRate(g, initial[g] * factor);
        }

        Position = position;
        CurrentFactor = factor;
    }
}
