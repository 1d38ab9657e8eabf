using MassTransit;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Actors;

/// <summary>
/// Runs a sweep's plan: records every trial event exactly once into the store, keeps the <see cref="SweepState"/>,
/// sends <see cref="RunTrial"/> for every pending trial whose teacher completed, and finishes when nothing runs and
/// nothing more can be sent. Consumes the trial events (register one instance on one endpoint).
/// </summary>
/// <remarks>
/// <para>Start: the store's trials and events are replayed (so a re-run continues: completed trials stay completed),
/// the plan's new trials are added, and trials left Running by a dead process or Cancelled are requeued (recorded as
/// <see cref="TrialRequeued"/>) to resume from their checkpoints.</para>
/// <para>Each event: a duplicate (key already recorded) or an illegal one changes nothing; otherwise it is persisted
/// first, then applied. Events are handled one at a time.</para>
/// <para>Cancel: nothing more is sent; the sweep finishes as <c>cancelled</c> once no trial runs (the worker side
/// stops running trials; see <see cref="ExperimentWorker.Cancel"/>).</para>
/// </remarks>
public sealed class SweepCoordinator :
    IConsumer<TrialStarted>, IConsumer<TrialEpochCompleted>, IConsumer<TrialCompleted>, IConsumer<TrialFailed>, IConsumer<TrialCancelled>, IDisposable
{
    private readonly CoordinatorOptions _options;
    private readonly ISweepStore _store;
    private readonly ISweepObserver _observer;
    private readonly Func<RunTrial, Task> _send;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _cancelling;

    /// <summary>A coordinator for <paramref name="plan"/>, recording into <paramref name="store"/> and sending trials
    /// with <paramref name="send"/>.</summary>
    public SweepCoordinator(CoordinatorOptions options, IReadOnlyList<TrialSpec> plan, ISweepStore store, Func<RunTrial, Task> send, ISweepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(send);
        _options = options;
        Plan = plan;
        _store = store;
        _send = send;
        _observer = observer ?? NullObserver.Instance;
        State = SweepState.Create(plan);
    }

    /// <summary>The planned trials.</summary>
    public IReadOnlyList<TrialSpec> Plan { get; }

    /// <summary>The current state (an immutable snapshot).</summary>
    public SweepState State { get; private set; }

    /// <summary>Completes with the sweep's status (<c>completed</c>, <c>failed</c>, <c>cancelled</c>) when it finished.</summary>
    public Task<string> Completion => _finished.Task;

    /// <summary>Whether <see cref="CancelAsync"/> was called.</summary>
    public bool IsCancelling => _cancelling;

    /// <summary>Replays the store, requeues interrupted trials, and sends every trial that is ready.</summary>
    /// <exception cref="InvalidOperationException">The store's trials do not match the plan (another sweep's output folder).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _store.AddTrials(Plan);
            var recorded = _store.LoadTrials().ToDictionary(t => t.Id, StringComparer.Ordinal);
            foreach (var spec in Plan)
            {
                if (recorded[spec.Id] != spec)
                {
                    throw new InvalidOperationException(
                        $"the store in {_options.OutputDirectory} planned trial '{spec.Id}' differently (epochs, quantizer or teacher changed): use another output folder");
                }
            }

            var state = State;
            var planned = Plan.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var e in _store.LoadEvents().Where(e => planned.Contains(e.TrialId)))
            {
                state = state.Apply(e);
            }

            State = state;
            foreach (var requeue in State.RequeueInterrupted(DateTimeOffset.UtcNow)
                .Where(r => _options.RequeueRunningOnStart || State.Trials[r.TrialId].Status != TrialStatus.Running))
            {
                RecordAndApply(requeue);
            }

            await DispatchAndCheckAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Handles one trial event (see the remarks); returns what was done with it.</summary>
    public async Task<EventOutcome> HandleAsync(TrialEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var outcome = RecordAndApply(e);
            if (outcome == EventOutcome.Recorded)
            {
                await DispatchAndCheckAsync().ConfigureAwait(false);
            }

            return outcome;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends nothing more; the sweep finishes as cancelled when no trial runs.</summary>
    public async Task CancelAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _cancelling = true;
            await DispatchAndCheckAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<TrialStarted> context) => HandleAndRespondAsync(context);

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<TrialEpochCompleted> context) => HandleAndRespondAsync(context);

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<TrialCompleted> context) => HandleAndRespondAsync(context);

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<TrialFailed> context) => HandleAndRespondAsync(context);

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<TrialCancelled> context) => HandleAndRespondAsync(context);

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    /// <summary>How long answering a worker's request may take before the answer is given up (the worker asks again).</summary>
    public static TimeSpan ResponseTimeout { get; } = TimeSpan.FromSeconds(5);

    // An event sent as a request (a worker's last event of a trial, in cluster mode) is answered once it is in
    // the store: the worker acknowledges the trial's message only then. A duplicate is answered too (it was
    // recorded before), and so is a rejected one (retrying cannot make it legal).
    private async Task HandleAndRespondAsync<T>(ConsumeContext<T> context)
        where T : TrialEvent
    {
        ArgumentNullException.ThrowIfNull(context);
        var e = context.Message;
        var outcome = await HandleAsync(e).ConfigureAwait(false);
        if (context.RequestId is not null && context.ResponseAddress is not null)
        {
            // The answer is sent on the connection that delivered the request. When that connection was lost, sending
            // can wait for it, and it comes back only once this delivery is finished: so the wait is bounded. The
            // event is recorded either way; the worker asks again and is answered that it is a duplicate.
            try
            {
                await context.RespondAsync(new TrialEventRecorded(e.TrialId, e.Attempt, e.Sequence, outcome)).WaitAsync(ResponseTimeout).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // any failure to answer is answered by the worker's next request
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private EventOutcome RecordAndApply(TrialEvent e)
    {
        if (_store.Contains(e.Key))
        {
            Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Duplicate));
            return EventOutcome.Duplicate;
        }

        SweepState next;
        try
        {
            next = State.Apply(e);
        }
        catch (InvalidTransitionException)
        {
            Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Rejected));
            return EventOutcome.Rejected;
        }

        if (!_store.Record(e))
        {
            Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Duplicate));
            return EventOutcome.Duplicate;
        }

        var before = State.Trials[e.TrialId];
        State = next;
        var after = next.Trials[e.TrialId];
        var labels = TrialLabels.Of(_options.Sweep, after.Spec);
        Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Recorded));
        if (before.Status != after.Status)
        {
            Observe.Safely(() => _observer.TrialStateChanged(labels, before.Status, after.Status));
        }

        if (e is TrialEpochCompleted p)
        {
            Observe.Safely(() => _observer.EpochReported(labels, new EpochReport(p.Epoch, p.Epochs, p.TrainLoss, p.TestTop1, p.SamplesPerSecond, p.Seconds)));
        }

        if (after.Status != TrialStatus.Pending)
        {
            _sent.Remove(e.TrialId);
        }

        return EventOutcome.Recorded;
    }

    private async Task DispatchAndCheckAsync()
    {
        if (!_cancelling)
        {
            foreach (var t in State.Ready().Where(t => !_sent.Contains(t.Spec.Id)).ToList())
            {
                _sent.Add(t.Spec.Id);
                var teacher = t.Spec.Teacher is { } id ? Path.Combine(_options.TrialDirectory(id), "model.pt") : null;
                await _send(new RunTrial(
                    _options.Sweep, t.Spec, t.Attempts + 1, _options.TrialDirectory(t.Spec.Id), teacher, _options.DataDirectory, _options.TrainLimit, _options.TestLimit,
                    DateTimeOffset.UtcNow)
                {
                    ImageSize = _options.ImageSize,
                    SkipBadImages = _options.SkipBadImages,
                }).ConfigureAwait(false);
            }
        }

        if (_finished.Task.IsCompleted)
        {
            return;
        }

        var running = State.Trials.Values.Any(t => t.Status == TrialStatus.Running);
        var waiting = !_cancelling && State.Trials.Values.Any(t => t.Status == TrialStatus.Pending && _sent.Contains(t.Spec.Id));
        if (running || waiting)
        {
            return;
        }

        var status = _cancelling ? "cancelled"
            : State.Trials.Values.Any(t => t.Status is TrialStatus.Failed or TrialStatus.Pending or TrialStatus.Cancelled) ? "failed"
            : "completed";
        Observe.Safely(() => _observer.SweepFinished(_options.Sweep, status));
        _finished.TrySetResult(status);
    }
}
