using Sweeps.Actors.Messages;
using Sweeps.Actors.State;

namespace Sweeps.Actors;

/// <summary>
/// What a running sweep tells the outside (the live progress view, Prometheus metrics). Every member has an empty
/// default, so an observer implements only what it needs.
/// </summary>
/// <remarks>
/// Calls come from the coordinator (state changes, records, the end) and from the experiment actors (steps, slots),
/// on their threads and concurrently with each other: implementations must be thread-safe, return quickly and never
/// throw (an exception is caught so that it cannot break the sweep, and logged once per kind by
/// <see cref="ObserverFailures"/>).
/// </remarks>
public interface ISweepObserver
{
    /// <summary>A trial moved from <paramref name="from"/> to <paramref name="to"/> (recorded in the store).</summary>
    void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to)
    {
    }

    /// <summary>A trial finished an epoch (recorded in the store).</summary>
    void EpochReported(TrialLabels trial, EpochReport epoch)
    {
    }

    /// <summary>A training step ended (sampled: at most a few per second per trial; not recorded).</summary>
    void StepReported(TrialLabels trial, StepReport step)
    {
    }

    /// <summary>A device slot became busy (a trial started on it) or idle (its trial's work ended).</summary>
    void SlotChanged(SlotReport slot)
    {
    }

    /// <summary>The coordinator received <paramref name="e"/>: recorded, or dropped as a duplicate (same trial,
    /// attempt and sequence as a recorded event) or as illegal in the trial's state.</summary>
    void EventRecorded(TrialEvent e, EventOutcome outcome)
    {
    }

    /// <summary>The sweep finished with <paramref name="status"/> (<c>completed</c>, <c>failed</c> or <c>cancelled</c>).</summary>
    void SweepFinished(string sweep, string status)
    {
    }
}
