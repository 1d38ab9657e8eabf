using Akka.Actor;
using Akka.Configuration;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>
/// Embedded mode: the whole sweep in this process, with the cluster's actors in a local actor system (no remoting
/// port): the <see cref="SweepCoordinator"/> and one <see cref="SlotActor"/> per device slot, which asks it for work
/// and runs each trial in an <see cref="ExperimentActor"/>. The SQLite store (<c>store.db</c>) and the results files
/// live in the output folder.
/// </summary>
public static class EmbeddedSweepHost
{
    /// <summary>The embedded actor system's configuration: local actors only, Akka's own log for warnings only.</summary>
    internal const string ActorSystemConfig = """
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = local
          # SIGINT/SIGTERM are the CLI's: running trials stop at their next step, checkpointed, before the system stops.
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """;

    /// <summary>
    /// Runs (or continues) the sweep until every trial finished or it was cancelled (through
    /// <paramref name="cancellationToken"/>, e.g. Ctrl-C, or <c>sweeps cancel</c>'s request in the store). On cancel,
    /// running trials stop at their next step with their last epoch checkpointed; a later run resumes them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The output folder holds another sweep.</exception>
    /// <exception cref="StoreException">The store cannot be opened or written.</exception>
    public static async Task<SweepRunResult> RunAsync(SweepRunOptions options, ISweepObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var plan = SweepPlanner.Plan(options.Definition);
        return await RunAsync(options, plan, observer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunAsync(SweepRunOptions, ISweepObserver?, CancellationToken)"/> with an explicit plan
    /// (tests and benchmarks).</summary>
    public static async Task<SweepRunResult> RunAsync(SweepRunOptions options, IReadOnlyList<TrialSpec> plan, ISweepObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        var def = options.Definition;
        var output = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(output);
        using var store = SqliteSweepStore.InDirectory(output);
        var started = new StartCounter();
        var coordinatorOptions = new CoordinatorOptions
        {
            Sweep = def.Name, OutputDirectory = output, DataDirectory = def.DataDirectory, TrainLimit = def.Limit, TestLimit = def.TestLimit,
            ImageSize = def.ImageSize, SkipBadImages = def.SkipBadImages,
        };
        await using var run = await CoordinatorRun.OpenAsync(
            options, store, output, other => $"the output folder {output} holds the sweep '{other}', not '{def.Name}': use another --out",
            coordinatorOptions, plan, [observer, started], cancellationToken).ConfigureAwait(false);
        var slots = DeviceSlot.For(options.Devices, def.TrialsPerDevice, options.Cores);
        // FP teachers are reused from (and published to) the teacher cache: the sweep file's teacher_cache, else
        // $SWEEPS_TEACHER_CACHE, else the user's cache folder.
        var runner = new TrialRunner(Sweeps.Training.Teachers.TeacherCache.Open(def.TeacherCache));
        var worker = new WorkerContext(Environment.MachineName, run.Observers, SweepActorSettings.Embedded, runner);
        var system = ActorSystem.Create("sweeps", ConfigurationFactory.ParseString(ActorSystemConfig));
        string status;
        try
        {
            var coordinator = system.ActorOf(run.CoordinatorProps(SweepActorSettings.Embedded), "coordinator");
            foreach (var slot in slots)
            {
                system.ActorOf(SlotActor.Props(coordinator, slot, worker, slots.Count), $"slot-{slot.Index}");
            }

            status = await run.RunAsync(c => coordinator.Tell(c), null, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("the embedded coordinator ended without a status");
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
            // A trial still training (only when the coordinator failed) stops at its next step; wait for it, bounded.
            await Task.WhenAny(worker.WhenIdleAsync(CancellationToken.None), Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None)).ConfigureAwait(false);
        }

        var state = await run.FinishAsync(status).ConfigureAwait(false);
        return new SweepRunResult(status, state, output, started.Count);
    }

    /// <summary>The state recorded in the store of the output folder <paramref name="directory"/>, replayed.</summary>
    /// <exception cref="StoreException">There is no store there, or it cannot be read.</exception>
    public static (SweepInfo? Sweep, SweepState State, bool CancelRequested) Read(string directory)
    {
        var path = Path.Combine(directory, SqliteSweepStore.FileName);
        if (!File.Exists(path))
        {
            throw new StoreException($"no sweep in '{directory}': {SqliteSweepStore.FileName} not found");
        }

        using var store = new SqliteSweepStore(path);
        var state = SweepState.Create(store.LoadTrials());
        foreach (var e in store.LoadEvents())
        {
            state = state.Apply(e);
        }

        return (store.LoadSweep(), state, store.IsCancelRequested());
    }

    private sealed class StartCounter : ISweepObserver
    {
        private int _count;

        public int Count => _count;

        public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to)
        {
            if (to == TrialStatus.Running)
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
