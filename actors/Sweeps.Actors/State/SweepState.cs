using System.Collections.Immutable;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors.State;

/// <summary>
/// The coordinator's state: every trial of the plan with its <see cref="TrialState"/>. An immutable value:
/// <see cref="Apply"/> returns the next state or throws <see cref="InvalidTransitionException"/> for an event the
/// trial's state does not allow. The coordinator persists an event first, then swaps in the applied state; replaying
/// the store's events onto <see cref="Create"/> rebuilds the same state.
/// </summary>
/// <remarks>
/// Legal transitions (k = attempts started so far):
/// <list type="bullet">
/// <item><see cref="TrialStarted"/> (attempt k+1, sequence 1): Pending -> Running.</item>
/// <item><see cref="TrialEpochCompleted"/> (attempt k, sequence above the last): Running -> Running.</item>
/// <item><see cref="TrialCompleted"/>, <see cref="TrialFailed"/>, <see cref="TrialCancelled"/> (attempt k, sequence
/// above the last): Running -> Completed, Failed, Cancelled.</item>
/// <item><see cref="TrialCompleted"/> of an earlier attempt j (a late completion: the trial was requeued while attempt
/// j, still alive, finished its training): Pending (requeued, j &lt;= k), Running (j &lt; k) or Cancelled (j &lt; k)
/// -> Completed with that attempt's result. A finished training is never thrown away; the attempt running instead is
/// stopped by the coordinator. An earlier attempt's other events stay illegal.</item>
/// <item><see cref="TrialRequeued"/> (attempt k+1, sequence 0): Running (interrupted) or Cancelled -> Pending, resumable.</item>
/// </list>
/// Everything else is illegal.
/// </remarks>
public sealed record SweepState
{
    private SweepState(ImmutableDictionary<string, TrialState> trials, ImmutableList<string> order)
    {
        Trials = trials;
        Order = order;
    }

    /// <summary>The trials by id.</summary>
    public ImmutableDictionary<string, TrialState> Trials { get; init; }

    /// <summary>Trial ids in plan order.</summary>
    public ImmutableList<string> Order { get; init; }

    /// <summary>The trials in plan order.</summary>
    public IEnumerable<TrialState> InOrder => Order.Select(id => Trials[id]);

    /// <summary>Every trial pending, none started.</summary>
    /// <exception cref="ArgumentException">Two trials share an id, or a teacher is not in the plan.</exception>
    public static SweepState Create(IEnumerable<TrialSpec> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var builder = ImmutableDictionary.CreateBuilder<string, TrialState>(StringComparer.Ordinal);
        var order = ImmutableList.CreateBuilder<string>();
        foreach (var spec in trials)
        {
            if (builder.ContainsKey(spec.Id))
            {
                throw new ArgumentException($"two trials have the id '{spec.Id}'", nameof(trials));
            }

            builder.Add(spec.Id, new TrialState { Spec = spec });
            order.Add(spec.Id);
        }

        foreach (var t in builder.Values)
        {
            if (t.Spec.Teacher is { } teacher && !builder.ContainsKey(teacher))
            {
                throw new ArgumentException($"trial '{t.Spec.Id}' needs the teacher '{teacher}', which is not in the plan", nameof(trials));
            }
        }

        return new SweepState(builder.ToImmutable(), order.ToImmutable());
    }

    /// <summary>The state after <paramref name="e"/>.</summary>
    /// <exception cref="InvalidTransitionException">The event is not allowed in the trial's state (see remarks).</exception>
    public SweepState Apply(TrialEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!Trials.TryGetValue(e.TrialId, out var t))
        {
            throw new InvalidTransitionException($"{Describe(e)}: no trial '{e.TrialId}' in this sweep");
        }

        var next = e switch
        {
            TrialStarted s => Started(t, s),
            TrialRequeued r => Requeued(t, r),
            _ => Continued(t, e),
        };
        return this with { Trials = Trials.SetItem(e.TrialId, next) };
    }

    /// <summary>Whether <paramref name="e"/> would be accepted by <see cref="Apply"/>.</summary>
    public bool CanApply(TrialEvent e)
    {
        try
        {
            Apply(e);
            return true;
        }
        catch (InvalidTransitionException)
        {
            return false;
        }
    }

    /// <summary>The requeue events a new run starts with: one per trial left Running (its process died) or Cancelled.</summary>
    public IReadOnlyList<TrialRequeued> RequeueInterrupted(DateTimeOffset at) =>
        InOrder.Where(t => t.Status is TrialStatus.Running or TrialStatus.Cancelled)
            .Select(t => new TrialRequeued(t.Spec.Id, t.Attempts + 1, 0, at))
            .ToList();

    /// <summary>Pending trials whose teacher (if any) completed, in plan order.</summary>
    public IEnumerable<TrialState> Ready() =>
        InOrder.Where(t => t.Status == TrialStatus.Pending && (t.Spec.Teacher is null || Trials[t.Spec.Teacher].Status == TrialStatus.Completed));

    /// <summary>Pending trials that can never run because their teacher failed.</summary>
    public IEnumerable<TrialState> Blocked() =>
        InOrder.Where(t => t.Status == TrialStatus.Pending && t.Spec.Teacher is { } teacher && Trials[teacher].Status == TrialStatus.Failed);

    /// <summary>Counts of trials by status.</summary>
    public IReadOnlyDictionary<TrialStatus, int> Counts() =>
        Enum.GetValues<TrialStatus>().ToDictionary(s => s, s => Trials.Values.Count(t => t.Status == s));

    private static TrialState Started(TrialState t, TrialStarted s)
    {
        if (t.Status != TrialStatus.Pending)
        {
            throw Illegal(t, s, "it is not pending");
        }

        if (s.Attempt != t.Attempts + 1 || s.Sequence != 1)
        {
            throw Illegal(t, s, $"expected attempt {t.Attempts + 1} sequence 1");
        }

        return t with
        {
            Status = TrialStatus.Running,
            Attempts = s.Attempt,
            LastSequence = s.Sequence,
            Node = s.Node,
            Device = s.Device,
            StartedAt = t.StartedAt ?? s.At,
            AttemptStartedAt = s.At,
            LastEventAt = s.At,
            Error = null,
        };
    }

    private static TrialState Requeued(TrialState t, TrialRequeued r)
    {
        if (t.Status is not (TrialStatus.Running or TrialStatus.Cancelled))
        {
            throw Illegal(t, r, "only a running (interrupted) or cancelled trial is requeued");
        }

        if (r.Attempt != t.Attempts + 1 || r.Sequence != 0)
        {
            throw Illegal(t, r, $"expected attempt {t.Attempts + 1} sequence 0");
        }

        var seconds = t.Status == TrialStatus.Running ? t.Seconds + Elapsed(t.AttemptStartedAt, t.LastEventAt) : t.Seconds;
        return t with { Status = TrialStatus.Pending, Resumable = true, LastSequence = 0, Seconds = seconds, FinishedAt = null };
    }

    private static TrialState Continued(TrialState t, TrialEvent e)
    {
        if (e is TrialCompleted late && IsEarlierAttempt(t, late.Attempt))
        {
            // Requeue events count the requeued attempt up to its last event; the newer attempt counts until now.
            var seconds = t.Status == TrialStatus.Pending ? Elapsed(t.LastEventAt, late.At) : Elapsed(t.AttemptStartedAt, late.At);
            return t with
            {
                Status = TrialStatus.Completed, Result = late, Resumable = false, LastEventAt = late.At, FinishedAt = late.At, Seconds = t.Seconds + seconds,
            };
        }

        if (t.Status != TrialStatus.Running)
        {
            throw Illegal(t, e, "it is not running");
        }

        if (e.Attempt != t.Attempts || e.Sequence <= t.LastSequence)
        {
            throw Illegal(t, e, $"expected attempt {t.Attempts} with a sequence above {t.LastSequence}");
        }

        t = BeganAt(t, e);

        var moved = t with { LastSequence = e.Sequence, LastEventAt = e.At };
        var finished = moved with { FinishedAt = e.At, Seconds = t.Seconds + Elapsed(t.AttemptStartedAt, e.At) };
        return e switch
        {
            TrialEpochCompleted p => moved with { Top1ByEpoch = t.Top1ByEpoch.SetItem(p.Epoch, p.TestTop1), LastTrainLoss = p.TrainLoss },
            TrialCompleted c => finished with { Status = TrialStatus.Completed, Result = c, Resumable = false },
            TrialFailed f => finished with { Status = TrialStatus.Failed, Error = f.Error, Resumable = false },
            TrialCancelled => finished with { Status = TrialStatus.Cancelled },
            _ => throw Illegal(t, e, "unknown event kind"),
        };
    }

    // The attempt's run time counts from when its slot began to run it (the event's Began) when that is after the
    // recorded start (the hand-off to a slot still finishing its previous trial); so does the trial's start if this is
    // its first attempt.
    private static TrialState BeganAt(TrialState t, TrialEvent e)
    {
        if (e.Began is not { } began || t.AttemptStartedAt is not { } recorded || began <= recorded || began > e.At)
        {
            return t;
        }

        return t with { AttemptStartedAt = began, StartedAt = t.StartedAt == recorded ? began : t.StartedAt };
    }

    // An attempt that started but is no longer the trial's current one, of a trial that has not ended.
    private static bool IsEarlierAttempt(TrialState t, int attempt) =>
        attempt >= 1 && t.Status switch
        {
            TrialStatus.Pending => attempt <= t.Attempts,
            TrialStatus.Running or TrialStatus.Cancelled => attempt < t.Attempts,
            _ => false,
        };

    private static double Elapsed(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } a && to is { } b && b > a ? (b - a).TotalSeconds : 0;

    private static InvalidTransitionException Illegal(TrialState t, TrialEvent e, string why) =>
        new($"{Describe(e)} is illegal for trial '{t.Spec.Id}' ({t.Status}, attempt {t.Attempts}, last sequence {t.LastSequence}): {why}");

    private static string Describe(TrialEvent e) => $"{e.GetType().Name} (attempt {e.Attempt}, sequence {e.Sequence})";
}
