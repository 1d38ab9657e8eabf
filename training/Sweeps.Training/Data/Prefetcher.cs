using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Sweeps.Training.Data;

/// <summary>
/// Produces items 0..count-1 on a background thread, at most <c>depth</c> ahead of the consumer.
/// Items taken belong to the consumer; <see cref="Dispose"/> stops the thread and disposes every
/// item produced and not taken. The producer thread has no DisposeScope, so its items join none:
/// they are handed over explicitly through the queue.
/// </summary>
internal sealed class Prefetcher<T> : IDisposable
    where T : class, IDisposable
{
    private readonly BlockingCollection<T> _queue;
    private readonly CancellationTokenSource _cancel = new();
    private readonly Func<int, T> _produce;
    private readonly int _count;
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _error;
    private int _disposed;

    public Prefetcher(int count, Func<int, T> produce, int depth)
    {
        _count = count;
        _produce = produce;
        _queue = new BlockingCollection<T>(new ConcurrentQueue<T>(), depth);
        _thread = new Thread(Run) { IsBackground = true, Name = "Sweeps data loader" };
        _thread.Start();
    }

    /// <summary>Waits for the next item; false when all were taken.</summary>
    /// <exception cref="ObjectDisposedException">The prefetcher (its loader) was disposed.</exception>
    public bool TryTake(out T item)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        bool taken;
        try
        {
            taken = _queue.TryTake(out item!, Timeout.Infinite, _cancel.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new ObjectDisposedException("the data loader was disposed during the epoch", e);
        }

        if (!taken)
        {
            _error?.Throw();
        }

        return taken;
    }

    /// <summary>Stops the producer, waits for it, and disposes the items it left in the queue. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cancel.Cancel();
        _thread.Join();
        while (_queue.TryTake(out var item))
        {
            item.Dispose();
        }

        _queue.Dispose();
        _cancel.Dispose();
    }

    private void Run()
    {
        var token = _cancel.Token;
        try
        {
            for (var i = 0; i < _count && !token.IsCancellationRequested; i++)
            {
                var item = _produce(i);
                try
                {
                    _queue.Add(item, token);
                }
                catch
                {
                    item.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped by Dispose.
        }
#pragma warning disable CA1031 // Any failure is handed to the consumer's thread, which rethrows it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }
}
