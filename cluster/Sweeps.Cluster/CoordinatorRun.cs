using System.Diagnostics;
using Akka.Actor;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>
/// What the embedded host and the cluster coordinator do alike around their <see cref="SweepCoordinator"/> actor: the
/// sweep's record in the store, the observers (results files, Prometheus metrics, the caller's), the loop that waits
/// for the sweep's end and turns a cancel request into a <see cref="CancelSweep"/>, and the final results files. The
/// hosts differ only in where the actor runs (a local actor system, or a cluster singleton).
/// </summary>
internal sealed class CoordinatorRun : IAsyncDisposable
{
    private readonly SqliteSweepStore _store;
    private readonly SweepRunOptions _options;
    private readonly string _output;
    private readonly ResultsWriter _results;
    private readonly CoordinatorOptions _coordinatorOptions;
    private readonly IReadOnlyList<TrialSpec> _plan;
    private SweepInfo _info;
    private bool _resultsClosed;

    private CoordinatorRun(
        SweepRunOptions options, SqliteSweepStore store, string output, SweepInfo info, CoordinatorOptions coordinatorOptions, IReadOnlyList<TrialSpec> plan,
        IEnumerable<ISweepObserver?> observers)
    {
        _store = store;
        _options = options;
        _output = output;
        _info = info;
        _coordinatorOptions = coordinatorOptions;
        _plan = plan;
        Handle = new CoordinatorHandle(SweepState.Create(plan));
        _results = new ResultsWriter(output, () => _info, () => Handle.State);
        var metrics = options.Metrics is { } m ? new MetricsObserver(m, () => Handle.State) : null;
        Observers = new CompositeObserver([.. observers.Select(o => o ?? NullObserver.Instance), _results, (ISweepObserver?)metrics ?? NullObserver.Instance]);
        metrics?.Initialize(options.Definition.Name, Handle.State);
        options.AttachState?.Invoke(() => Handle.State);
    }

    /// <summary>The coordinator's state and completion.</summary>
    public CoordinatorHandle Handle { get; }

    /// <summary>Every observer of the run (the caller's, results files, metrics): give it to slots in this process.</summary>
    public ISweepObserver Observers { get; }

    /// <summary>
    /// Records the sweep as running in <paramref name="store"/> (keeping the first start time of an earlier run of the
    /// same sweep) and copies the sweep file into <paramref name="output"/>.
    /// </summary>
    /// <param name="options">The sweep.</param>
    /// <param name="store">The sweep's store; stays the caller's to dispose, after this run.</param>
    /// <param name="output">The output folder (full path) for the results files.</param>
    /// <param name="foreignSweep">The error message when the store holds another sweep, given that sweep's name.</param>
    /// <param name="coordinatorOptions">The coordinator's options.</param>
    /// <param name="plan">The trials.</param>
    /// <param name="observers">The caller's observers (null entries are ignored).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The store holds another sweep.</exception>
    public static async Task<CoordinatorRun> OpenAsync(
        SweepRunOptions options, SqliteSweepStore store, string output, Func<string, string> foreignSweep, CoordinatorOptions coordinatorOptions,
        IReadOnlyList<TrialSpec> plan, IEnumerable<ISweepObserver?> observers, CancellationToken cancellationToken)
    {
        var def = options.Definition;
        var previous = store.LoadSweep();
        if (previous is not null && previous.Name != def.Name)
        {
            throw new InvalidOperationException(foreignSweep(previous.Name));
        }

        await File.WriteAllTextAsync(Path.Combine(output, "sweep.yaml"), options.SweepText, cancellationToken).ConfigureAwait(false);
        store.ClearCancelRequest();
        var info = new SweepInfo
        {
            Name = def.Name,
            File = options.SweepFile,
            Dataset = def.Dataset,
            StartedAt = previous?.StartedAt ?? DateTimeOffset.UtcNow,
            Status = "running",
            GitCommit = GitCommit(),
            Versions = options.Versions,
            Devices = options.Devices,
            Host = Environment.MachineName,
        };
        store.SaveSweep(info);
        return new CoordinatorRun(options, store, output, info, coordinatorOptions, plan, observers);
    }

    /// <summary>The coordinator actor's props (it reports to <see cref="Handle"/>).</summary>
    public Props CoordinatorProps(SweepActorSettings settings) => SweepCoordinator.Props(_coordinatorOptions, _plan, _store, Handle, Observers, settings);

    /// <summary>
    /// Waits for the sweep's end. A cancel request (<paramref name="cancellationToken"/> or <c>sweeps cancel</c> through
    /// the store, polled every <see cref="SweepRunOptions.CancelPollInterval"/>) is passed to <paramref name="cancel"/>
    /// once: the coordinator gives out nothing more and tells the slots to stop their trials.
    /// </summary>
    /// <param name="cancel">Sends <see cref="CancelSweep"/> to the coordinator actor.</param>
    /// <param name="log">Told when the sweep is being cancelled; null for nothing.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <param name="nodeGone">Completes when the coordinator actor's actor system terminated (a cluster node that was
    /// downed); null when it cannot (embedded mode).</param>
    /// <param name="startsBefore"><see cref="CoordinatorHandle.Starts"/> before the actor system of this call started:
    /// a cancel while no coordinator actor started since ends the wait with an error.</param>
    /// <returns>The sweep's final status (completed, failed or cancelled); null when <paramref name="nodeGone"/>
    /// completed first: the caller starts a node again, whose coordinator actor continues from the store (a cancel
    /// request is passed to it again).</returns>
    /// <exception cref="InvalidOperationException">The store's trials do not match the plan; or cancelled before a
    /// coordinator actor started in this call's actor system.</exception>
    public async Task<string?> RunAsync(Action<CancelSweep> cancel, TextWriter? log, CancellationToken cancellationToken, Task? nodeGone = null, int startsBefore = 0)
    {
        var cancelled = false;
        while (!Handle.Completion.IsCompleted)
        {
            if (nodeGone is { IsCompleted: true })
            {
                return null;
            }

            if (!cancelled && (cancellationToken.IsCancellationRequested || _store.IsCancelRequested()))
            {
                cancelled = true;
                if (log is not null)
                {
                    await log.WriteLineAsync("coordinator: cancelling; workers stop their running trials (resumable)").ConfigureAwait(false);
                }

                cancel(new CancelSweep(_options.Definition.Name, DateTimeOffset.UtcNow));
            }

            if (cancelled && Handle.Starts == startsBefore && cancellationToken.IsCancellationRequested)
            {
                // Stopped before the coordinator started (a cluster node that never joined): nothing ran meanwhile.
                throw new InvalidOperationException(
                    $"stopped before the coordinator started (in cluster mode: did this node join the cluster? check sweeps.seed-nodes); {(startsBefore == 0 ? "nothing was run" : "the sweep resumes from its store when the coordinator runs again")}");
            }

            await Task.WhenAny(Handle.Completion, Task.Delay(_options.CancelPollInterval, CancellationToken.None), nodeGone ?? Handle.Completion).ConfigureAwait(false);
        }

        return await Handle.Completion.ConfigureAwait(false);
    }

    /// <summary>Records the sweep's end in the store and writes the final results files (results.json, the report).</summary>
    /// <param name="status">The final status from <see cref="RunAsync"/>.</param>
    /// <returns>The final state.</returns>
    public async Task<SweepState> FinishAsync(string status)
    {
        _info = _info with { Status = status, FinishedAt = DateTimeOffset.UtcNow };
        _store.SaveSweep(_info);
        _store.ClearCancelRequest();
        await CloseResultsAsync().ConfigureAwait(false);
        var state = Handle.State;
        ResultsFiles.Write(_output, _info, state);
        return state;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseResultsAsync().ConfigureAwait(false);
    }

    private async Task CloseResultsAsync()
    {
        if (!_resultsClosed)
        {
            _resultsClosed = true;
            await _results.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string? GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD")
            {
                WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (git is null)
            {
                return null;
            }

            var text = git.StandardOutput.ReadToEnd().Trim();
            return git.WaitForExit(5000) && git.ExitCode == 0 && text.Length == 40 ? text : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
