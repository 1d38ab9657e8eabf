using System.Diagnostics;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>
/// What the embedded host and the cluster coordinator do alike around their <see cref="SweepCoordinator"/>: the sweep's
/// record in the store, the observers (results files, Prometheus metrics, the caller's), the loop that waits for the
/// sweep's end and turns a cancel request into a cancellation, and the final results files. The hosts differ only in
/// their transport.
/// </summary>
internal sealed class CoordinatorRun : IAsyncDisposable
{
    private readonly SqliteSweepStore _store;
    private readonly SweepRunOptions _options;
    private readonly string _output;
    private readonly ResultsWriter _results;
    private SweepInfo _info;
    private bool _resultsClosed;

    private CoordinatorRun(
        SweepRunOptions options, SqliteSweepStore store, string output, SweepInfo info, CoordinatorOptions coordinatorOptions, IReadOnlyList<TrialSpec> plan,
        Func<RunTrial, Task> send, IEnumerable<ISweepObserver?> observers)
    {
        _store = store;
        _options = options;
        _output = output;
        _info = info;
        _results = new ResultsWriter(output, () => _info);
        SweepCoordinator? coordinatorRef = null;
        var metrics = options.Metrics is { } m ? new MetricsObserver(m, () => coordinatorRef!.State) : null;
        Observers = new CompositeObserver([.. observers.Select(o => o ?? NullObserver.Instance), _results, (ISweepObserver?)metrics ?? NullObserver.Instance]);
        Coordinator = new SweepCoordinator(coordinatorOptions, plan, store, send, Observers);
        _results.Coordinator = Coordinator;
        coordinatorRef = Coordinator;
        metrics?.Initialize(options.Definition.Name, Coordinator.State);
        options.AttachState?.Invoke(() => Coordinator.State);
    }

    /// <summary>The sweep's coordinator.</summary>
    public SweepCoordinator Coordinator { get; }

    /// <summary>Every observer of the run (the caller's, results files, metrics): give it to workers in this process.</summary>
    public ISweepObserver Observers { get; }

    /// <summary>
    /// Records the sweep as running in <paramref name="store"/> (keeping the first start time of an earlier run of the
    /// same sweep), copies the sweep file into <paramref name="output"/> and creates the coordinator.
    /// </summary>
    /// <param name="options">The sweep.</param>
    /// <param name="store">The sweep's store; stays the caller's to dispose, after this run.</param>
    /// <param name="output">The output folder (full path) for the results files.</param>
    /// <param name="foreignSweep">The error message when the store holds another sweep, given that sweep's name.</param>
    /// <param name="coordinatorOptions">The coordinator's options.</param>
    /// <param name="plan">The trials.</param>
    /// <param name="send">Sends a trial to the workers.</param>
    /// <param name="observers">The caller's observers (null entries are ignored).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The store holds another sweep.</exception>
    public static async Task<CoordinatorRun> OpenAsync(
        SweepRunOptions options, SqliteSweepStore store, string output, Func<string, string> foreignSweep, CoordinatorOptions coordinatorOptions,
        IReadOnlyList<TrialSpec> plan, Func<RunTrial, Task> send, IEnumerable<ISweepObserver?> observers, CancellationToken cancellationToken)
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
        return new CoordinatorRun(options, store, output, info, coordinatorOptions, plan, send, observers);
    }

    /// <summary>
    /// Starts the coordinator and waits for the sweep's end. A cancel request (<paramref name="cancellationToken"/> or
    /// <c>sweeps cancel</c> through the store, polled every <see cref="SweepRunOptions.CancelPollInterval"/>) cancels
    /// the sweep once: pending trials are not sent, and <paramref name="publishCancel"/> tells the workers to stop theirs.
    /// </summary>
    /// <param name="publishCancel">Publishes <see cref="CancelSweep"/> to the workers; sent again until the transport takes it.</param>
    /// <param name="log">Told when the sweep is being cancelled; null for nothing.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>The sweep's final status (completed, failed or cancelled).</returns>
    public async Task<string> RunAsync(Func<CancelSweep, Task> publishCancel, TextWriter? log, CancellationToken cancellationToken)
    {
        await Coordinator.StartAsync(cancellationToken).ConfigureAwait(false);
        while (!Coordinator.Completion.IsCompleted)
        {
            if ((cancellationToken.IsCancellationRequested || _store.IsCancelRequested()) && !Coordinator.IsCancelling)
            {
                if (log is not null)
                {
                    await log.WriteLineAsync("coordinator: cancelling; workers stop their running trials (resumable)").ConfigureAwait(false);
                }

                await Coordinator.CancelAsync().ConfigureAwait(false);
                var cancel = new CancelSweep(_options.Definition.Name, DateTimeOffset.UtcNow);
                await Delivery.UntilSentAsync(() => publishCancel(cancel), null, CancellationToken.None).ConfigureAwait(false);
            }

            await Task.WhenAny(Coordinator.Completion, Task.Delay(_options.CancelPollInterval, CancellationToken.None)).ConfigureAwait(false);
        }

        return await Coordinator.Completion.ConfigureAwait(false);
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
        var state = Coordinator.State;
        ResultsFiles.Write(_output, _info, state);
        return state;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseResultsAsync().ConfigureAwait(false);
        Coordinator.Dispose();
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
