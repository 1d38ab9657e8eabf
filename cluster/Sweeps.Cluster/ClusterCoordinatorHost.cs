using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Sweeps.Actors;
using Sweeps.Actors.Planning;
using Sweeps.Actors.Storage;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster;

/// <summary>
/// Cluster mode's coordinator node (role <c>coordinator</c>): the embedded mode's <see cref="SweepCoordinator"/> as
/// the cluster singleton, with its store at the configuration's <c>store-path</c>. Workers' slots ask it for work
/// through a singleton proxy. Trial folders (checkpoints) go under the shared checkpoint folder,
/// <c>checkpoint-dir/&lt;sweep&gt;/trials/&lt;id&gt;</c>; results and the report go to the output folder. Killed and
/// started again, it replays the store, waits until the slots of the nodes that ran trials said which attempts they
/// still hold (at most <see cref="SweepActorSettings.ClaimTimeout"/>), and continues; events sent meanwhile are sent
/// again by their experiment actors until it answers. Downed by the cluster (its node was cut off or stalled), it
/// starts its node again in the same process, and its new coordinator actor continues from the store the same way.
/// </summary>
public static class ClusterCoordinatorHost
{
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
        await using var run = await CoordinatorRun.OpenAsync(
            options, store, output, other => $"the store {config.StorePath} holds the sweep '{other}', not '{def.Name}': set another store-path",
            coordinatorOptions, plan, [observer], cancellationToken).ConfigureAwait(false);
        string? status = null;
        while (status is null)
        {
            var starts = run.Handle.Starts;
            var system = ClusterNode.Start(config, ClusterNode.CoordinatorRole);
            try
            {
                system.ActorOf(
                    ClusterSingletonManager.Props(
                        run.CoordinatorProps(SweepActorSettings.Cluster),
                        PoisonPill.Instance,
                        ClusterSingletonManagerSettings.Create(system).WithRole(ClusterNode.CoordinatorRole).WithSingletonName(ClusterNode.SingletonName)),
                    ClusterNode.SingletonManagerName);
                var proxy = ClusterNode.CoordinatorProxy(system);
                ClusterNode.ReportMembership(system, options.Metrics);
                await log.WriteLineAsync(
                    $"coordinator: sweep {def.Name}, {plan.Count} trials, node {ClusterNode.Address(system)}, seeds {string.Join(", ", config.SeedNodes)}, "
                    + $"store {config.StorePath}, checkpoints {coordinatorOptions.CheckpointDirectory}{(config.Tls is null ? string.Empty : ", TLS")}").ConfigureAwait(false);
                status = await run.RunAsync(c => proxy.Tell(c), log, cancellationToken, system.WhenTerminated, starts).ConfigureAwait(false);
            }
            finally
            {
                await ClusterNode.LeaveAsync(system, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            }

            if (status is null)
            {
                // The cluster removed this node (the split brain resolver downed it, e.g. after this machine or the
                // network stalled longer than the failure detector allows): its coordinator actor is gone. Start the
                // node again; its coordinator replays the store and continues, as after a restart.
                await log.WriteLineAsync("coordinator: removed from the cluster (downed); starting the node again (the sweep continues from its store)").ConfigureAwait(false);
            }
        }

        var state = await run.FinishAsync(status).ConfigureAwait(false);
        return new SweepRunResult(status, state, output, 0);
    }
}
