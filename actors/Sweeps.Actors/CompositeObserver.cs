using Sweeps.Actors.Messages;
using Sweeps.Actors.State;

namespace Sweeps.Actors;

/// <summary>Passes every call on to several observers, in order; one that throws does not stop the others, and its
/// failure goes to <see cref="Failures"/>.</summary>
public sealed class CompositeObserver(params ISweepObserver[] observers) : ISweepObserver
{
    /// <summary>Where the observers' exceptions are reported (default: <see cref="ObserverFailures.Default"/>, standard error).</summary>
    public ObserverFailures Failures { get; init; } = ObserverFailures.Default;

    /// <inheritdoc/>
    public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to) => Each(o => o.TrialStateChanged(trial, from, to));

    /// <inheritdoc/>
    public void EpochReported(TrialLabels trial, EpochReport epoch) => Each(o => o.EpochReported(trial, epoch));

    /// <inheritdoc/>
    public void StepReported(TrialLabels trial, StepReport step) => Each(o => o.StepReported(trial, step));

    /// <inheritdoc/>
    public void SlotChanged(SlotReport slot) => Each(o => o.SlotChanged(slot));

    /// <inheritdoc/>
    public void EventRecorded(TrialEvent e, EventOutcome outcome) => Each(o => o.EventRecorded(e, outcome));

    /// <inheritdoc/>
    public void SweepFinished(string sweep, string status) => Each(o => o.SweepFinished(sweep, status));

    private void Each(Action<ISweepObserver> call)
    {
        foreach (var o in observers)
        {
            Observe.Safely(() => call(o), Failures);
        }
    }
}
