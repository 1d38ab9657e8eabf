using Akka.Actor;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster;

/// <summary>
/// Cluster mode's worker node (role <c>worker</c>): one <see cref="SlotActor"/> per device entry, each asking the
/// coordinator singleton for work and running one trial at a time. Its trials' checkpoints are in the shared
/// checkpoint folder: when this node dies, the coordinator requeues its trials and other slots resume them. When the
/// cluster downs this node (it was unreachable too long, or it lost the coordinator), its trials stop, and the node
/// joins the cluster again as a new member: its <see cref="Courier"/> first delivers the events they had not got
/// answered, then its slots ask for work again.
/// </summary>
public static class ClusterWorkerHost
{
    /// <summary>How long a stopping worker waits for its trials to stop at their next step before it leaves anyway.</summary>
    public static readonly TimeSpan HandBackTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The teacher cache's folder under the shared checkpoint folder (unless <c>SWEEPS_TEACHER_CACHE</c> names
    /// another).</summary>
    public const string TeacherCacheFolder = "teachers";

    /// <summary>
    /// Runs the worker until <paramref name="cancellationToken"/> is cancelled (SIGTERM, Ctrl-C): then its running
    /// trials stop at their next step without being reported, it leaves the cluster, and the coordinator requeues them
    /// for other slots (from their last epoch checkpoint).
    /// </summary>
    /// <param name="config">The cluster configuration.</param>
    /// <param name="devices">This worker's devices, one slot each.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <param name="metrics">Prometheus metrics of this worker (its slots); null for none.</param>
    public static async Task RunAsync(
        ClusterConfig config, IReadOnlyList<string> devices, TextWriter log, CancellationToken cancellationToken = default, Monitoring.SweepMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(log);
        var node = $"{Environment.MachineName}/{Environment.ProcessId}";
        var slots = DeviceSlot.For(devices, 1, Environment.ProcessorCount);
        // The worker's own metrics are its slots (busy/idle); trial series and counts are the coordinator's.
        ISweepObserver observer = metrics is null ? NullObserver.Instance : new MetricsObserver(metrics, () => Actors.State.SweepState.Create([]));
        // FP teachers are reused from (and published to) the teacher cache every worker shares: $SWEEPS_TEACHER_CACHE,
        // else teachers/ in the shared checkpoint folder.
        var runner = new TrialRunner(Sweeps.Training.Teachers.TeacherCache.Open(null, Path.Combine(config.CheckpointDirectory, TeacherCacheFolder)));
        void Say(string line) => log.WriteLine($"worker {node}: {line}");
        var worker = new WorkerContext(node, observer, SweepActorSettings.Cluster, runner) { Log = Say };
        while (true)
        {
            var system = ClusterNode.Start(config, ClusterNode.WorkerRole);
            var proxy = ClusterNode.CoordinatorProxy(system);
            ClusterNode.ReportMembership(system, metrics);
            system.ActorOf(CoordinatorWatch.Props(Say, worker.Settings.NoCoordinatorNotice, string.Join(", ", config.SeedNodes)), "coordinator-watch");
            List<IActorRef> slotActors = [];
            try
            {
                // Events of trials of an earlier membership (this node was downed) that were not answered yet go first,
                // so that the coordinator knows how those trials ended before these slots say what they hold.
                if (worker.HasOrphans)
                {
                    var courier = system.ActorOf(Courier.Props(proxy, worker), "courier");
                    await Task.WhenAny(courier.WatchAsync(CancellationToken.None), system.WhenTerminated).WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                if (!system.WhenTerminated.IsCompleted)
                {
                    slotActors = [.. slots.Select(s => system.ActorOf(SlotActor.Props(proxy, s, worker, slots.Count), $"slot-{s.Index}"))];
                    await log.WriteLineAsync(
                        $"worker {node}: {slots.Count} slots ({string.Join(", ", devices)}), node {ClusterNode.Address(system)}, seeds {string.Join(", ", config.SeedNodes)}"
                        + (config.Tls is null ? string.Empty : ", TLS")).ConfigureAwait(false);
                }

                await system.WhenTerminated.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await log.WriteLineAsync($"worker {node}: stopping; running trials are handed back (they resume on other slots)").ConfigureAwait(false);
                foreach (var slot in slotActors)
                {
                    slot.Tell(HandBack.Instance);
                }

                await Task.WhenAny(worker.WhenIdleAsync(CancellationToken.None), Task.Delay(HandBackTimeout, CancellationToken.None)).ConfigureAwait(false);
                await ClusterNode.LeaveAsync(system, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
                return;
            }

            // The cluster removed this node (downed by the split brain resolver): its actors are gone, and the
            // coordinator requeued its trials. Their training stops at its next step; then join again as a new member.
            await log.WriteLineAsync($"worker {node}: removed from the cluster (downed); its trials go to other slots; joining again").ConfigureAwait(false);
            await worker.WhenIdleAsync(CancellationToken.None).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
