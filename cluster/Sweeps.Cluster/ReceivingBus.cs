using MassTransit;

namespace Sweeps.Cluster;

/// <summary>
/// A node's bus for what it receives (a worker's trials and cancellation, the coordinator's events), watched: when
/// the broker answers but the bus has not been consuming for <see cref="RecoveryLimit"/> (MassTransit reports it
/// unhealthy, or the broker counts no consumer on the node's own queue), the bus is stopped (waiting at most
/// <see cref="BusLifetime.StopTimeout"/>) and replaced by a new one. MassTransit gives up on a connection refused
/// while the broker starts (ACCESS_REFUSED is taken as permanent), and an endpoint that holds a delivery whose
/// connection was lost reconnects only once that delivery is finished: a worker running a long trial at a broker
/// outage would otherwise take no new trial until that trial ended. Trials that run on the replaced bus go on; their
/// messages, delivered again, wait on the trial's lease.
/// </summary>
internal sealed class ReceivingBus(
    Func<IBusControl> create, IBusControl first, Func<IBusControl, bool> healthy, Func<CancellationToken, Task<uint?>> consumers, TextWriter log, TimeSpan poll, TimeSpan limit)
    : IAsyncDisposable
{
    /// <summary>How long a node's receiving bus may stay without consuming while the broker answers before it is replaced.</summary>
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(20);

    /// <summary>How often the bus and the broker are asked.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private IBusControl _bus = first;
    private Task _watch = Task.CompletedTask;

    /// <summary>Buses made so far (1 when none was replaced).</summary>
    public int Generation { get; private set; } = 1;

    /// <summary>MassTransit's own verdict: every receive endpoint of <paramref name="bus"/> is connected and consuming.</summary>
    public static bool IsHealthy(IBusControl bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus.CheckHealth().Status == BusHealthStatus.Healthy;
    }

    /// <summary>
    /// Creates and starts the first bus with <paramref name="create"/> (called again for each replacement) and watches it.
    /// </summary>
    /// <param name="create">Makes a bus with the node's receive endpoints.</param>
    /// <param name="consumers">The consumers the broker counts on the node's own queue (0 when the queue is gone), or null when the broker cannot be asked.</param>
    /// <param name="log">Where a replacement is told.</param>
    /// <param name="cancellationToken">Cancels the first start.</param>
    /// <param name="healthy">Whether a bus is consuming by its own account (default <see cref="IsHealthy"/>).</param>
    /// <param name="poll">How often to look (default <see cref="Poll"/>).</param>
    /// <param name="limit">How long the bus may stay without consuming (default <see cref="RecoveryLimit"/>).</param>
    public static async Task<ReceivingBus> StartAsync(
        Func<IBusControl> create,
        Func<CancellationToken, Task<uint?>> consumers,
        TextWriter log,
        CancellationToken cancellationToken,
        Func<IBusControl, bool>? healthy = null,
        TimeSpan? poll = null,
        TimeSpan? limit = null)
    {
        var bus = create();
        await bus.StartAsync(cancellationToken).ConfigureAwait(false);
        var receiving = new ReceivingBus(create, bus, healthy ?? IsHealthy, consumers, log, poll ?? Poll, limit ?? RecoveryLimit);
        receiving._watch = Task.Run(() => receiving.WatchAsync(receiving._stop.Token), CancellationToken.None);
        return receiving;
    }

    /// <summary>Stops watching, then stops the current bus (waiting for the deliveries it holds, as <see cref="IBusControl.StopAsync"/>).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopWatchingAsync().ConfigureAwait(false);
        await Volatile.Read(ref _bus).StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops watching; the bus is left as it is (a node that exits at once leaves its deliveries to the broker).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopWatchingAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task StopWatchingAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _watch.ConfigureAwait(false);
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        DateTime? since = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, stop).ConfigureAwait(false);
                var bus = Volatile.Read(ref _bus);
                var consuming = healthy(bus);
                uint? counted;
                try
                {
                    counted = await consumers(stop).WaitAsync(poll + TimeSpan.FromSeconds(5), stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    counted = null;
                }

                if (counted is null || (consuming && counted > 0))
                {
                    since = null; // consuming, or the broker is away (reconnecting is MassTransit's job then)
                    continue;
                }

                since ??= DateTime.UtcNow;
                if (DateTime.UtcNow - since.Value >= limit)
                {
                    await RenewAsync(bus, consuming ? $"the broker counts {counted} consumers on its queue" : "MassTransit reports it unhealthy").ConfigureAwait(false);
                    since = null;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the watch must outlive any one failed look or renewal; the next poll tries again
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await log.WriteLineAsync($"bus: watching the receiving connection failed ({ex.GetType().Name}: {ex.Message}); watching on").ConfigureAwait(false);
            }
        }
    }

    private async Task RenewAsync(IBusControl stale, string why)
    {
        await log.WriteLineAsync(
            $"bus: the receiving connection has not consumed for {limit.TotalSeconds:0} s while the broker answers ({why}); receiving on a new connection").ConfigureAwait(false);
        await BusLifetime.StopQuietlyAsync(stale).ConfigureAwait(false);
        var fresh = create();
        Volatile.Write(ref _bus, fresh);
        Generation++;
        try
        {
            await BusLifetime.StartWithinAsync(fresh).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // not consuming yet: the watch judges the new bus as it did the old one
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await log.WriteLineAsync($"bus: the new receiving connection did not start ({ex.GetType().Name}: {ex.Message}); watching it").ConfigureAwait(false);
        }
    }
}
