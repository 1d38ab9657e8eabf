using Sweeps.Actors.State;

namespace Sweeps.Actors;

/// <summary>
/// The outside's view of a running <see cref="SweepCoordinator"/> actor (progress views, metrics, results files and
/// the host that waits for the end): its latest state snapshot and its completion. Written by the actor only;
/// read from any thread.
/// </summary>
public sealed class CoordinatorHandle
{
    private readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SweepState _state;
    private volatile bool _cancelling;
    private int _starts;

    /// <summary>A handle whose state starts as <paramref name="initial"/> (every planned trial pending).</summary>
    public CoordinatorHandle(SweepState initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _state = initial;
    }

    /// <summary>The coordinator's current state (an immutable snapshot).</summary>
    public SweepState State => Volatile.Read(ref _state);

    /// <summary>Completes with the sweep's status (<c>completed</c>, <c>failed</c>, <c>cancelled</c>) when it finished;
    /// faults when the coordinator could not start (e.g. the store holds another plan).</summary>
    public Task<string> Completion => _finished.Task;

    /// <summary>How many times a coordinator actor started (loaded the store) for this handle: 0 while, e.g., a cluster
    /// node has not joined yet; more than once when its cluster node was downed and started again.</summary>
    public int Starts => Volatile.Read(ref _starts);

    /// <summary>Whether the coordinator received <see cref="Messages.CancelSweep"/>.</summary>
    public bool IsCancelling => _cancelling;

    internal void Publish(SweepState state) => Volatile.Write(ref _state, state);

    internal void Started(SweepState state)
    {
        Publish(state);
        Interlocked.Increment(ref _starts);
    }

    internal void Cancelling() => _cancelling = true;

    internal void Finish(string status) => _finished.TrySetResult(status);

    internal void Fail(Exception error) => _finished.TrySetException(error);
}
