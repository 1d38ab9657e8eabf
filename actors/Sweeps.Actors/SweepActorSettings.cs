namespace Sweeps.Actors;

/// <summary>
/// Every timing of the sweep's actors (coordinator, slots, experiment actors), in one place. The defaults suit both
/// modes.
/// </summary>
public sealed record SweepActorSettings
{
    /// <summary>A slot repeats its <see cref="Messages.SlotStatus"/> this often (and sends it at once when it
    /// changes): what it holds and whether it wants a trial. Only a safety net for lost messages: a slot that wants a
    /// trial gets one the moment one is ready.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An experiment actor sends its oldest unanswered event again after this long.</summary>
    public TimeSpan ResendInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A slot asks for its next trial this long before its running trial of the sleeping kind ends (a
    /// training trial: after its last training step, when only the final evaluation is left), so that the next one
    /// is already there when it ends.</summary>
    public TimeSpan AskAhead { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A coordinator that starts on a store showing running trials (it was restarted while slots held them) gives
    /// nothing out until every slot of every node that ran them has said what it holds, or this long after its start;
    /// then it requeues the running trials that no slot holds (those of nodes that did not come back).
    /// </summary>
    public TimeSpan ClaimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An answer (<see cref="Messages.RunTrial"/>) that a slot still has not taken after this long is
    /// sent again (the slot takes it once: it is tied to the slot's request number).</summary>
    public TimeSpan RedispatchAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Training steps are reported to the observer at most this often per trial (and the first step).</summary>
    public TimeSpan StepReportInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A worker node with no coordinator in its cluster (not joined yet, or the coordinator left) says so
    /// this often.</summary>
    public TimeSpan NoCoordinatorNotice { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Embedded mode (one process; a restarted coordinator requeues running trials at once, see
    /// <see cref="CoordinatorOptions.RequeueRunningOnStart"/>).</summary>
    public static SweepActorSettings Embedded { get; } = new();

    /// <summary>Cluster mode: the same timings (nodes on a network answer within milliseconds; the intervals are
    /// safety nets, not the pace of the protocol).</summary>
    public static SweepActorSettings Cluster { get; } = new();
}
