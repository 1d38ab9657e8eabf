using System.Collections.Concurrent;
using MassTransit;
using Sweeps.Actors.Messages;

namespace Sweeps.Actors;

/// <summary>
/// The experiment actors' side of one process: its device slots, its observer and its cancellation. Experiment actors
/// (one per <see cref="RunTrial"/> delivery) take a free slot for the trial's duration. The transport's concurrency
/// limit should be <see cref="DeliveryLimit"/>: deliveries beyond the slots wait for one and start the moment it
/// frees, so the transport's own delivery time is not on the path from one trial to the next. Consumes
/// <see cref="CancelSweep"/>.
/// </summary>
public sealed class ExperimentWorker : IConsumer<CancelSweep>, IDisposable
{
    private readonly ConcurrentQueue<DeviceSlot> _free;
    private readonly SemaphoreSlim _available;
    private readonly CancellationTokenSource _cancel = new();
    private int _runs;

    /// <summary>A worker with these slots.</summary>
    public ExperimentWorker(string node, IReadOnlyList<DeviceSlot> slots, ISweepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentOutOfRangeException.ThrowIfZero(slots.Count);
        Node = node;
        Slots = slots;
        Observer = observer ?? NullObserver.Instance;
        _free = new ConcurrentQueue<DeviceSlot>(slots);
        _available = new SemaphoreSlim(slots.Count, slots.Count);
    }

    /// <summary>The host name in events.</summary>
    public string Node { get; }

    /// <summary>Every slot.</summary>
    public IReadOnlyList<DeviceSlot> Slots { get; }

    /// <summary>Number of slots: trials this worker runs at the same time.</summary>
    public int SlotCount => Slots.Count;

    /// <summary>Slots not running a trial now.</summary>
    public int FreeSlots => _available.CurrentCount;

    /// <summary>Deliveries to take at the same time: twice the slots (see the class remarks).</summary>
    public int DeliveryLimit => 2 * Slots.Count;

    /// <summary>Told about slots and steps.</summary>
    public ISweepObserver Observer { get; }

    /// <summary>Cancelled when the sweep is cancelled: running trials stop at their next step, new ones do not start.</summary>
    public CancellationToken Stopping => _cancel.Token;

    /// <summary>
    /// How a trial's last event (completed, failed, cancelled) reaches the coordinator. Null (embedded mode): it is
    /// published. Cluster mode sets a function that returns only once the coordinator recorded the event, so that
    /// the trial's message is acknowledged only after its end is in the store.
    /// </summary>
    public Func<TrialEvent, CancellationToken, Task>? RecordFinal { get; init; }

    /// <summary>
    /// Publishes a trial's start and epoch events (one attempt; <see cref="Delivery"/> retries). Null (embedded mode):
    /// through the trial's own delivery. Cluster mode sends them on a bus of its own: the broker connection that
    /// delivered a trial cannot come back while that trial waits for an event to go out.
    /// </summary>
    public Func<TrialEvent, Task>? Publish { get; init; }

    /// <summary>
    /// Cluster mode: trials take a lease in their folder (<c>lease.json</c>) while they run, so that a trial's message
    /// delivered again while it still runs (the broker connection that delivered it was lost) waits for it, or takes
    /// it over when its runner is gone, instead of running it twice; a delivery whose connection is lost before its
    /// trial started returns without running it. Null (embedded mode): no leases.
    /// </summary>
    public LeaseTiming? Leases { get; init; }

    /// <summary>Lines about trials starting and deliveries that wait for a lease; null: not told.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Told when an event could not be handed to the transport and is tried again (the trial, the attempt number
    /// and the exception): the node's log says why a trial waits. Null: not told.
    /// </summary>
    public Action<string, int, Exception>? SendFailed { get; init; }

    /// <summary>Stops running trials (they checkpoint and report cancelled) and starts no more.</summary>
    public void Cancel() => _cancel.Cancel();

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<CancelSweep> context)
    {
        Cancel();
        return Task.CompletedTask;
    }

    /// <summary>Takes a free slot (waits while none is free).</summary>
    public async Task<DeviceSlot> AcquireAsync(CancellationToken cancellationToken = default)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _free.TryDequeue(out var slot) ? slot : throw new InvalidOperationException("slot accounting is broken: none free");
    }

    /// <summary>Trials started and not yet ended with their last event recorded (a slot is freed before that).</summary>
    public int RunsInFlight => Volatile.Read(ref _runs);

    /// <summary>Returns a slot taken with <see cref="AcquireAsync"/>.</summary>
    public void Release(DeviceSlot slot)
    {
        _free.Enqueue(slot);
        _available.Release();
    }

    /// <summary>Counts a trial's run from its start to its last event recorded (<see cref="RunsInFlight"/>).</summary>
    internal void RunStarted() => Interlocked.Increment(ref _runs);

    /// <summary>The run counted by <see cref="RunStarted"/> ended.</summary>
    internal void RunEnded() => Interlocked.Decrement(ref _runs);

    /// <inheritdoc/>
    public void Dispose()
    {
        _cancel.Dispose();
        _available.Dispose();
    }
}
