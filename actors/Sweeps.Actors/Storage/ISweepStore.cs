using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Storage;

/// <summary>
/// The durable record of one sweep: the sweep record, the planned trials and every trial event, in the order recorded.
/// The coordinator is the single writer; readers (<c>sweeps status</c>, the results writer) may read at the same time.
/// </summary>
/// <remarks>
/// <para>Thread-safety: every member may be called from any thread; calls are serialised internally.</para>
/// <para>Ownership: the store owns its connection/file handles and releases them on <see cref="IDisposable.Dispose"/>;
/// it never deletes what it recorded. Returned lists are snapshots owned by the caller.</para>
/// <para>Idempotency: <see cref="Record"/> applies an event at most once per key (trial, attempt, sequence);
/// <see cref="AddTrials"/> adds only unknown ids; <see cref="SaveSweep"/> and the cancel requests overwrite.</para>
/// <para>Exceptions: <see cref="ObjectDisposedException"/> after dispose; <see cref="ArgumentNullException"/> for null
/// arguments; <see cref="StoreException"/> when the backing storage fails or holds data it cannot read. A call that
/// throws has changed nothing.</para>
/// </remarks>
public interface ISweepStore : IDisposable
{
    /// <summary>The sweep record, or null when none was saved.</summary>
    SweepInfo? LoadSweep();

    /// <summary>Saves (replaces) the sweep record.</summary>
    void SaveSweep(SweepInfo info);

    /// <summary>Adds the trials whose ids the store does not know yet (a known id keeps its recorded spec), keeping
    /// the order of first addition.</summary>
    /// <returns>How many were added.</returns>
    int AddTrials(IEnumerable<TrialSpec> trials);

    /// <summary>The trials, in the order they were first added.</summary>
    IReadOnlyList<TrialSpec> LoadTrials();

    /// <summary>Records <paramref name="e"/> unless an event with its key is already recorded.</summary>
    /// <returns>True when recorded; false when it was a duplicate (the store is unchanged).</returns>
    bool Record(TrialEvent e);

    /// <summary>Whether an event with this key is recorded.</summary>
    bool Contains(TrialEventKey key);

    /// <summary>Every recorded event, in recording order.</summary>
    IReadOnlyList<TrialEvent> LoadEvents();

    /// <summary>Asks the process that runs the sweep to cancel it (<c>sweeps cancel</c>).</summary>
    void RequestCancel();

    /// <summary>Whether a cancel was requested and not cleared since.</summary>
    bool IsCancelRequested();

    /// <summary>Clears a cancel request (a new run starts).</summary>
    void ClearCancelRequest();
}
