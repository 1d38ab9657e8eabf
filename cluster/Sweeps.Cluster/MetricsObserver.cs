using System.Collections.Concurrent;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Monitoring;
using ActorLabels = Sweeps.Actors.TrialLabels;
using MetricLabels = Sweeps.Monitoring.TrialLabels;

namespace Sweeps.Cluster;

/// <summary>
/// Feeds a running sweep's events into the Prometheus metrics (<see cref="SweepMetrics"/>): trial states, per-trial
/// series while a trial runs, durations, slots, recorded and deduplicated events, the end of the sweep.
/// </summary>
/// <remarks>
/// Thread-safe, as <see cref="ISweepObserver"/> requires. A device with several slots (e.g. <c>devices: [cpu, cpu]</c>
/// or <c>trials_per_device: 2</c>) is reported busy while any of its slots runs a trial.
/// </remarks>
/// <param name="metrics">The metrics to update (not owned).</param>
/// <param name="state">The coordinator's current state (trial durations at the end of a trial).</param>
public sealed class MetricsObserver(SweepMetrics metrics, Func<SweepState> state) : ISweepObserver
{
    private readonly ConcurrentDictionary<(string Node, string Device), int> _busySlots = new();

    /// <summary>Counts every trial of <paramref name="initial"/> in its current state (call once, before the sweep
    /// starts: the trials of a resumed sweep keep the states recorded in its store).</summary>
    public void Initialize(string sweep, SweepState initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        foreach (var trial in initial.InOrder)
        {
            metrics.TrialStateChanged(sweep, null, Name(trial.Status));
        }
    }

    /// <inheritdoc/>
    public void TrialStateChanged(ActorLabels trial, TrialStatus from, TrialStatus to)
    {
        ArgumentNullException.ThrowIfNull(trial);
        metrics.TrialStateChanged(trial.Sweep, Name(from), Name(to));
        var labels = Labels(trial);
        if (to == TrialStatus.Running)
        {
            metrics.TrialStarted(labels);
        }
        else if (from == TrialStatus.Running)
        {
            metrics.TrialEnded(labels);
        }

        if (to is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Cancelled)
        {
            var recorded = state().Trials.GetValueOrDefault(trial.TrialId);
            if (to == TrialStatus.Failed && recorded?.Error is { } error && IsNonFiniteLoss(error))
            {
                metrics.NonFiniteLossReported(labels);
            }

            metrics.TrialFinished(trial.Sweep, trial.Method, recorded?.Seconds ?? 0, Name(to));
        }
    }

    /// <inheritdoc/>
    public void EpochReported(ActorLabels trial, EpochReport epoch)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(epoch);
        metrics.EpochReported(Labels(trial), epoch.Epoch, epoch.TrainLoss, epoch.TestTop1, epoch.SamplesPerSecond);
    }

    /// <inheritdoc/>
    public void SlotChanged(SlotReport slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var busy = _busySlots.AddOrUpdate((slot.Node, slot.Device), slot.Busy ? 1 : 0, (_, n) => Math.Max(0, n + (slot.Busy ? 1 : -1)));
        metrics.SlotStateChanged(slot.Node, slot.Device, busy > 0);
    }

    /// <inheritdoc/>
    public void EventRecorded(TrialEvent e, EventOutcome outcome)
    {
        if (outcome != EventOutcome.Rejected)
        {
            metrics.EventRecorded(deduplicated: outcome == EventOutcome.Duplicate);
        }
    }

    /// <inheritdoc/>
    public void SweepFinished(string sweep, string status) => metrics.SweepFinished(sweep);

    /// <summary>Whether a failure reason is the trainer's non-finite-loss stop ("loss term ... is NaN" / "... is Infinity").</summary>
    internal static bool IsNonFiniteLoss(string error) =>
        error.Contains("NaN", StringComparison.Ordinal) || error.Contains("infinit", StringComparison.OrdinalIgnoreCase);

    private static string Name(TrialStatus status) => status.ToString().ToLowerInvariant();

    private static MetricLabels Labels(ActorLabels t) =>
        new(t.Sweep, t.Model, t.Dataset, t.Method, t.WeightBits, t.ActivationBits, t.Seed);
}
