using MassTransit;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.Storage;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster;

/// <summary>
/// Cluster mode's coordinator: the <see cref="SweepCoordinator"/> of the embedded mode, with its store at the
/// configuration's <c>storePath</c>, sending trials to the RabbitMQ trials queue that workers share and taking
/// their events from its own durable queue. Trial folders (checkpoints) go under the shared checkpoint folder,
/// <c>checkpointDirectory/&lt;sweep&gt;/trials/&lt;id&gt;</c>; results and the report go to the output folder.
/// Killed and started again, it replays the store and continues: running trials stay with their workers.
/// </summary>
public static class ClusterCoordinatorHost
{
    /// <summary>How long one attempt to send a trial (or the cancellation) to the workers may take.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs (or continues) the sweep until every trial finished or it was cancelled.</summary>
    /// <param name="config">The cluster configuration.</param>
    /// <param name="options">The sweep; its <see cref="SweepRunOptions.OutputDirectory"/> gets the results files.</param>
    /// <param name="log">Progress lines (never a password).</param>
    /// <param name="observer">Also told what happens (tests, progress view).</param>
    /// <param name="cancellationToken">Cancels the sweep: running trials stop with their last epoch checkpointed.</param>
    /// <exception cref="InvalidOperationException">The store holds another sweep.</exception>
    /// <exception cref="StoreException">The store cannot be opened or written.</exception>
    public static async Task<SweepRunResult> RunAsync(
        ClusterConfig config, SweepRunOptions options, TextWriter log, ISweepObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        BusLog.Attach(log);
        var def = options.Definition;
        var plan = SweepPlanner.Plan(def);
        var output = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(output);
        Directory.CreateDirectory(Path.GetDirectoryName(config.StorePath)!);
        using var store = new SqliteSweepStore(config.StorePath);
        var coordinatorOptions = new CoordinatorOptions
        {
            Sweep = def.Name,
            OutputDirectory = output,
            CheckpointDirectory = Path.Combine(config.CheckpointDirectory, def.Name),
            RequeueRunningOnStart = false,
            DataDirectory = def.DataDirectory,
            ImageSize = def.ImageSize,
            SkipBadImages = def.SkipBadImages,
            TrainLimit = def.Limit,
            TestLimit = def.TestLimit,
        };
        SenderBus? sender = null;
        // Trials go out until the broker takes them (a teacher that completes during a broker outage still gets its
        // students sent), on a bus of their own: the receiving bus reconnects only once the event being handled,
        // which sends them, has finished.
        await using var run = await CoordinatorRun.OpenAsync(
            options, store, output, other => $"the store {config.StorePath} holds the sweep '{other}', not '{def.Name}': set another storePath",
            coordinatorOptions, plan,
            m => Delivery.UntilSentAsync(
                () => sender!.SendAsync(async (bus, ct) => await (await bus.GetSendEndpoint(RabbitMqTransport.TrialsAddress).ConfigureAwait(false)).Send(m, ct).ConfigureAwait(false), SendTimeout),
                (attempt, ex) => RabbitMqTransport.LogRetry(log, $"coordinator: {m.Trial.Id} is not sent yet", attempt, ex), CancellationToken.None),
            [observer], cancellationToken).ConfigureAwait(false);
        IBusControl CreateReceiving() => RabbitMqTransport.CreateBus(config.Broker, cfg =>
            cfg.ReceiveEndpoint(RabbitMqTransport.CoordinatorQueue, e =>
            {
                e.PrefetchCount = 64;
                e.ConcurrentMessageLimit = 1;
                e.Instance(run.Coordinator);
            }));

        await log.WriteLineAsync($"coordinator: sweep {def.Name}, {plan.Count} trials, broker {config.Broker}, store {config.StorePath}, checkpoints {coordinatorOptions.CheckpointDirectory}").ConfigureAwait(false);
        var purged = await RabbitMqTransport.PurgeTrialsAsync(config.Broker, cancellationToken).ConfigureAwait(false);
        if (purged > 0)
        {
            await log.WriteLineAsync($"coordinator: {purged} queued trials of an earlier run removed; ready trials are sent again").ConfigureAwait(false);
        }

        sender = await SenderBus.StartAsync(() => RabbitMqTransport.CreateBus(config.Broker, _ => { }), log, cancellationToken).ConfigureAwait(false);
        string status;
        await using (sender.ConfigureAwait(false))
        {
            // Watched and replaced when it stops consuming while the broker answers (ReceivingBus); the coordinator
            // is the only consumer of its queue.
            await using var receiving = await ReceivingBus.StartAsync(
                CreateReceiving, ct => RabbitMqTransport.ConsumersAsync(config.Broker, RabbitMqTransport.CoordinatorQueue, ct), log, cancellationToken).ConfigureAwait(false);
            try
            {
                status = await run.RunAsync(
                    c => sender.SendAsync((b, ct) => b.Publish(c, ct), SendTimeout), log, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await receiving.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        var state = await run.FinishAsync(status).ConfigureAwait(false);
        return new SweepRunResult(status, state, output, 0);
    }
}
