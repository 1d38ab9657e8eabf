using MassTransit;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster;

/// <summary>
/// Cluster mode's worker: the embedded mode's <see cref="ExperimentActor"/> as a competing consumer of the
/// RabbitMQ trials queue, as many trials at a time as it has slots (one per device). A trial's message is
/// acknowledged only after the coordinator answered that the trial's last event is in its store; a worker that
/// dies leaves its trials unacknowledged, and the broker gives them to another worker, which resumes them from
/// their last checkpoint in the shared checkpoint folder.
/// </summary>
public static class ClusterWorkerHost
{
    /// <summary>How long one attempt to have the last event recorded waits for the coordinator's answer.</summary>
    public static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt to publish a trial's start or epoch event may take.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs the worker until <paramref name="cancellationToken"/> is cancelled (the worker stops at once; its
    /// unacknowledged trials go back to the queue) or a sweep is cancelled (its running trials stop, checkpointed
    /// and resumable, and the worker returns true).
    /// </summary>
    /// <param name="config">The cluster configuration.</param>
    /// <param name="devices">This worker's devices, one slot each.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <param name="metrics">Prometheus metrics of this worker (its slots); null for none.</param>
    /// <returns>True when a sweep's cancellation stopped the worker.</returns>
    public static async Task<bool> RunAsync(
        ClusterConfig config, IReadOnlyList<string> devices, TextWriter log, CancellationToken cancellationToken = default, Monitoring.SweepMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(log);
        BusLog.Attach(log);
        var node = $"{Environment.MachineName}/{Environment.ProcessId}";
        var slots = DeviceSlot.For(devices, 1, Environment.ProcessorCount);
        // The worker's own metrics are its slots (busy/idle); trial series and counts are the coordinator's.
        ISweepObserver observer = metrics is null ? NullObserver.Instance : new MetricsObserver(metrics, () => Actors.State.SweepState.Create([]));
        // Events and requests go out on a bus of their own: after a broker outage the receiving bus reconnects only
        // once every delivery it holds has finished, and a finishing trial waits for its last event to be recorded.
        await using var sender = await SenderBus.StartAsync(() => RabbitMqTransport.CreateBus(config.Broker, _ => { }), log, cancellationToken).ConfigureAwait(false);
        using var worker = new ExperimentWorker(node, slots, observer)
        {
            RecordFinal = (e, ct) => RecordAsync(sender, e, log, ct),
            Publish = e => sender.SendAsync((bus, ct) => bus.Publish(e, e.GetType(), ct), SendTimeout),
            Leases = LeaseTiming.Default,
            Log = line => log.WriteLine($"worker {node}: {line}"),
            SendFailed = (trial, attempt, ex) => RabbitMqTransport.LogRetry(log, $"worker: an event of {trial} is not sent yet", attempt, ex),
        };
        // The receiving bus is watched and replaced when it stops consuming while the broker answers (ReceivingBus);
        // the worker's own queue tells the broker's side.
        var own = $"sweeps-worker-{Environment.MachineName}-{Environment.ProcessId}";
        await using var receiving = await ReceivingBus.StartAsync(
            () => RabbitMqTransport.CreateBus(config.Broker, cfg =>
            {
                cfg.ReceiveEndpoint(RabbitMqTransport.TrialsQueue, e =>
                {
                    // Twice the slots: a slot starts its next trial while the last one's end is being recorded (the
                    // actor waits for a free slot), and a worker that joins later still finds the trials waiting.
                    e.PrefetchCount = worker.DeliveryLimit;
                    e.ConcurrentMessageLimit = worker.DeliveryLimit;
                    e.Consumer(() => new ExperimentActor(worker));
                });
                cfg.ReceiveEndpoint(own, e =>
                {
                    e.AutoDelete = true;
                    e.Durable = false;
                    e.Instance(worker);
                });
            }),
            ct => RabbitMqTransport.ConsumersAsync(config.Broker, own, ct),
            log,
            cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync($"worker {node}: {slots.Count} slots ({string.Join(", ", devices)}), broker {config.Broker}").ConfigureAwait(false);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, worker.Stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        // A cancelled sweep: let the running trials report their cancellation, then stop.
        await log.WriteLineAsync($"worker {node}: the sweep was cancelled; stopping").ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && worker.RunsInFlight > 0)
        {
            await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
        }

        await Task.Delay(500, CancellationToken.None).ConfigureAwait(false);
        await receiving.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    private static async Task RecordAsync(SenderBus sender, TrialEvent e, TextWriter log, CancellationToken cancellationToken)
    {
        // Until the coordinator answers: while it is down (or the broker is), the event waits in its queue or is
        // sent again; it records an event once (trial, attempt, sequence) and answers a repeat as a duplicate.
        Func<IBus, CancellationToken, Task<TrialEventRecorded>> ask = e switch
        {
            TrialCompleted c => (bus, ct) => RequestAsync(bus, c, ct),
            TrialFailed f => (bus, ct) => RequestAsync(bus, f, ct),
            TrialCancelled x => (bus, ct) => RequestAsync(bus, x, ct),
            _ => throw new InvalidOperationException($"{e.GetType().Name} is not a trial's last event"),
        };
        var response = default(TrialEventRecorded);
        await Delivery.UntilSentAsync(
            async () => response = await sender.SendAsync(ask, RecordTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false),
            (attempt, ex) => RabbitMqTransport.LogRetry(log, $"worker: the end of {e.TrialId} attempt {e.Attempt} is not recorded yet", attempt, ex),
            cancellationToken).ConfigureAwait(false);
        if (response!.Outcome == EventOutcome.Rejected)
        {
            await log.WriteLineAsync($"worker: the coordinator rejected {e.GetType().Name} of {e.TrialId} attempt {e.Attempt} (stale attempt)").ConfigureAwait(false);
        }
    }

    private static async Task<TrialEventRecorded> RequestAsync<T>(IBus bus, T message, CancellationToken cancellationToken)
        where T : class
    {
        var client = bus.CreateRequestClient<T>(RabbitMqTransport.CoordinatorAddress, RequestTimeout.After(s: (int)RecordTimeout.TotalSeconds));
        var response = await client.GetResponse<TrialEventRecorded>(message, cancellationToken).ConfigureAwait(false);
        return response.Message;
    }
}
