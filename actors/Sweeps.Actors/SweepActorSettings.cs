namespace Sweeps.Actors;

/// <summary>
/// Every timing of the sweep's actors (coordinator, slots, experiment actors), in one place. The defaults suit both
/// modes; <see cref="Cluster"/> adds the claim window a restarted coordinator needs.
/// </summary>
public sealed record SweepActorSettings
{
    /// <summary>A slot repeats its <see cref="Messages.SlotStatus"/> this often (and sends it at once when it
    /// changes): an idle slot's request for work, or the trial it runs.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An experiment actor sends its oldest unanswered event again after this long.</summary>
    public TimeSpan ResendInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After the coordinator starts on a store that shows running trials (it was restarted while workers ran them),
    /// it waits this long after the first slot status arrives for the other slots' statuses before it sends any trial,
    /// and then requeues the running trials that no slot claimed. Zero (embedded mode): a restart means every trial
    /// stopped; they are requeued at once.
    /// </summary>
    public TimeSpan ClaimWindow { get; init; } = TimeSpan.Zero;

    /// <summary>The longest the coordinator waits for a first slot status before it closes the claim window anyway (no
    /// worker is left).</summary>
    public TimeSpan ClaimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An answer (<see cref="Messages.RunTrial"/>) that an idle slot still has not taken after this long is
    /// sent again (the slot runs it once: it is tied to the slot's request number).</summary>
    public TimeSpan RedispatchAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Training steps are reported to the observer at most this often per trial (and the first step).</summary>
    public TimeSpan StepReportInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Embedded mode: one process, no claim window.</summary>
    public static SweepActorSettings Embedded { get; } = new();

    /// <summary>Cluster mode: a restarted coordinator waits 10 status intervals after the first status for the slots to
    /// say what they run (slack for workers whose proxies find it later, on a loaded machine).</summary>
    public static SweepActorSettings Cluster { get; } = new() { ClaimWindow = TimeSpan.FromSeconds(10) };
}
