using System.Diagnostics;
using Akka.Actor;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors;

/// <summary>
/// One running trial: a child of its <see cref="SlotActor"/>. It runs the trial through the
/// <see cref="WorkerContext.Runner"/> off the actor's dispatcher (training on a thread of its own) and reports one
/// <see cref="TrialEpochCompleted"/> per epoch, then <see cref="TrialCompleted"/>, <see cref="TrialFailed"/> or
/// <see cref="TrialCancelled"/> to the coordinator, one at a time and in order, each sent again every
/// <see cref="SweepActorSettings.ResendInterval"/> until the coordinator answers that it is persisted
/// (<see cref="TrialEventRecorded"/>). (<see cref="TrialStarted"/> is the coordinator's own: it records it when it gives
/// the attempt to the slot, which may be shortly before the slot's running trial ends; this actor's events carry
/// <see cref="TrialEvent.Began"/>, when it actually began.) It stops once its last event is answered. The slot is
/// told when the trial is about to end (<see cref="TrialEnding"/>: <see cref="SweepActorSettings.AskAhead"/> before a
/// sleeping trial's end, or after a training trial's last step) so that it can ask for its next trial, and as soon as
/// the training ends (<see cref="TrainingEnded"/>: the slot starts its next trial while the last event is still being
/// recorded).
/// </summary>
/// <remarks>
/// <see cref="CancelSweep"/> stops the trial at its next step and reports it cancelled (resumable);
/// <see cref="Abandon"/> (a hand-back, or an attempt the coordinator no longer expects) stops it without reporting.
/// An actor stopped while its trial trains (its actor system shuts down) abandons it the same way.
/// </remarks>
public sealed class ExperimentActor : ReceiveActor, IWithTimers
{
    private readonly RunTrial _trial;
    private readonly DeviceSlot _slot;
    private readonly IActorRef _coordinator;
    private readonly WorkerContext _worker;
    private readonly EventOutbox _outbox;
    private readonly CancellationTokenSource _stop = new();
    private bool _abandoned;
    private bool _trainingEnded;
    private bool _endingTold;
    private DateTimeOffset _began;

    /// <summary>An actor for <paramref name="trial"/> on <paramref name="slot"/>, reporting to <paramref name="coordinator"/>.</summary>
    public ExperimentActor(RunTrial trial, DeviceSlot slot, IActorRef coordinator, WorkerContext worker)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(worker);
        _trial = trial;
        _slot = slot;
        _coordinator = coordinator;
        _worker = worker;
        _outbox = new EventOutbox(coordinator, worker.Settings.ResendInterval);
        Receive<Outgoing>(o => Report(o.Event));
        Receive<Finished>(OnFinished);
        Receive<TrialEventRecorded>(OnRecorded);
        Receive<ResendTick>(_ => _outbox.ResendIfDue(Self));
        Receive<Ending>(_ =>
        {
            if (!_endingTold && !_trainingEnded)
            {
                _endingTold = true;
                Context.Parent.Tell(new TrialEnding(new TrialAttempt(_trial.Trial.Id, _trial.Attempt)));
            }
        });
        Receive<CancelSweep>(_ => _stop.Cancel());
        Receive<Abandon>(_ =>
        {
            _abandoned = true;
            _stop.Cancel();
        });
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor's props.</summary>
    public static Props Props(RunTrial trial, DeviceSlot slot, IActorRef coordinator, WorkerContext worker) =>
        Akka.Actor.Props.Create(() => new ExperimentActor(trial, slot, coordinator, worker));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        var self = Self;
        var spec = _trial.Trial;
        var labels = TrialLabels.Of(_trial.Sweep, spec);
        _began = DateTimeOffset.UtcNow;
        _worker.Log?.Invoke($"{spec.Id} attempt {_trial.Attempt} runs on {_slot.Device}");
        SlotChanged(busy: true);
        Timers.StartPeriodicTimer("resend", ResendTick.Instance, _worker.Settings.ResendInterval);
        if (spec.Kind == TrialKind.Sleep)
        {
            var ahead = TimeSpan.FromMilliseconds(spec.SleepMilliseconds) - _worker.Settings.AskAhead;
            Timers.StartSingleTimer("ending", Ending.Instance, ahead > TimeSpan.Zero ? ahead : TimeSpan.Zero);
        }

        var observer = _worker.Observer;
        var every = _worker.Settings.StepReportInterval;
        var lastStep = 0L;
        var token = _stop.Token;
        _worker.TrainingStarted();
        Task.Run(() => _worker.Runner.RunAsync(
                _trial,
                _slot,
                e => self.Tell(new Outgoing(e)),
                p =>
                {
                    if (p.Epoch == p.Epochs && p.Step == p.StepsPerEpoch)
                    {
                        self.Tell(Ending.Instance); // the last step: only the final evaluation is left
                    }

                    if (p.Step == 1 || Stopwatch.GetElapsedTime(lastStep) >= every)
                    {
                        lastStep = Stopwatch.GetTimestamp();
                        Observe.Safely(() => observer.StepReported(labels, new StepReport(p.Epoch, p.Epochs, p.Step, p.StepsPerEpoch, p.Loss)));
                    }
                },
                token))
            .ContinueWith(
                t =>
                {
                    _worker.TrainingEnded();
                    return t.IsCompletedSuccessfully
                        ? t.Result
                        : new TrialFailed(spec.Id, _trial.Attempt, TrialRunner.FinalSequence(spec), DateTimeOffset.UtcNow, t.Exception?.GetBaseException().Message ?? "the trial's task was cancelled");
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default)
            .PipeTo(self, success: last => new Finished(last));
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Events not answered yet are kept by the process: a Courier of its next actor system sends them.
        _worker.Orphaned(_outbox.Pending);
        if (!_trainingEnded)
        {
            // The actor system is going down (or the slot stopped us): the training must not go on unsupervised.
            _abandoned = true;
            _stop.Cancel();
        }
        else
        {
            _stop.Dispose();
        }
    }

    private void OnFinished(Finished f)
    {
        _trainingEnded = true;
        SlotChanged(busy: false);
        _worker.Log?.Invoke($"{_trial.Trial.Id} attempt {_trial.Attempt} ended: {f.Last.GetType().Name}{(_abandoned ? " (abandoned)" : string.Empty)}");
        Context.Parent.Tell(new TrainingEnded(new TrialAttempt(_trial.Trial.Id, _trial.Attempt)));
        if (_abandoned && f.Last is TrialCancelled)
        {
            Context.Stop(Self);
            return;
        }

        Report(f.Last);
    }

    // Every event this actor sends says when its attempt began on the slot (TrialEvent.Began).
    private void Report(TrialEvent e) => _outbox.Enqueue(e with { Began = _began }, Self);

    private void OnRecorded(TrialEventRecorded answer)
    {
        if (_outbox.Answered(answer, Self) is TrialCompleted or TrialFailed or TrialCancelled)
        {
            Context.Stop(Self);
        }
    }

    private void SlotChanged(bool busy) =>
        Observe.Safely(() => _worker.Observer.SlotChanged(new SlotReport(_worker.Node, _slot.Device, _slot.Index, busy, _trial.Trial.Id, Stopwatch.GetTimestamp())));

    /// <summary>To the actor: stop the trial without reporting it (a hand-back or a stale attempt).</summary>
    internal sealed record Abandon
    {
        public static Abandon Instance { get; } = new();
    }

    /// <summary>To the slot: the trial's training (or sleep) ended; the slot is free.</summary>
    internal sealed record TrainingEnded(TrialAttempt Attempt);

    /// <summary>To the slot: the trial is about to end; the slot may ask for its next one.</summary>
    internal sealed record TrialEnding(TrialAttempt Attempt);

    private sealed record Outgoing(TrialEvent Event);

    private sealed record Finished(TrialEvent Last);

    private sealed record ResendTick
    {
        public static ResendTick Instance { get; } = new();
    }

    private sealed record Ending
    {
        public static Ending Instance { get; } = new();
    }
}
