using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>Rewrites the results files shortly after events are recorded (at most every 200 ms, off the coordinator's
/// thread), from the coordinator's immutable state snapshot.</summary>
internal sealed class ResultsWriter : ISweepObserver, IAsyncDisposable
{
    private readonly string _directory;
    private readonly Func<SweepInfo> _info;
    private readonly Func<SweepState> _state;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Task _loop;
    private int _dirty;

    public ResultsWriter(string directory, Func<SweepInfo> info, Func<SweepState> state)
    {
        _directory = directory;
        _info = info;
        _state = state;
        _loop = Task.Run(LoopAsync);
    }

    public void EventRecorded(TrialEvent e, EventOutcome outcome)
    {
        if (outcome == EventOutcome.Recorded && Interlocked.Exchange(ref _dirty, 1) == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
            Interlocked.Exchange(ref _dirty, 0);
            try
            {
                ResultsFiles.Write(_directory, _info(), _state());
            }
            catch (Exception e) when (e is IOException or Sweeps.Reports.ReportException)
            {
                // The next event (or the final write, whose error is reported) tries again.
            }

            await Task.Delay(200, _stop.Token).ConfigureAwait(false);
        }
    }
}
