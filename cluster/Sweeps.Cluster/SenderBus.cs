using MassTransit;

namespace Sweeps.Cluster;

/// <summary>
/// A node's bus for what it sends (events, trials, requests), kept apart from the bus that receives. Every send is
/// bounded in time, and after <see cref="FailuresBeforeRenewal"/> failed sends in a row the bus is replaced by a new
/// one (a new connection): after a broker restart a send could otherwise wait for ever on a connection that does not
/// come back, and a trial whose end cannot be recorded holds its delivery, and with it the receiving connection.
/// </summary>
internal sealed class SenderBus : IAsyncDisposable
{
    /// <summary>Failed sends in a row after which the bus is replaced.</summary>
    public const int FailuresBeforeRenewal = 3;

    private readonly Func<IBusControl> _create;
    private readonly TextWriter _log;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private IBusControl _bus;
    private int _failures;

    private SenderBus(Func<IBusControl> create, IBusControl bus, TextWriter log)
    {
        _create = create;
        _bus = bus;
        _log = log;
    }

    /// <summary>Buses made so far (1 when none was replaced).</summary>
    public int Generation { get; private set; } = 1;

    /// <summary>Creates and starts the first bus with <paramref name="create"/> (called again for each replacement).</summary>
    public static async Task<SenderBus> StartAsync(Func<IBusControl> create, TextWriter log, CancellationToken cancellationToken)
    {
        var bus = create();
        await bus.StartAsync(cancellationToken).ConfigureAwait(false);
        return new SenderBus(create, bus, log);
    }

    /// <summary>
    /// One attempt of <paramref name="send"/> on the current bus, given up after <paramref name="timeout"/> (its token
    /// is cancelled then, and the attempt is abandoned if it does not stop): throws what the attempt threw, or
    /// <see cref="TimeoutException"/>. The caller retries (<see cref="Actors.Delivery"/>).
    /// </summary>
    public async Task<T> SendAsync<T>(Func<IBus, CancellationToken, Task<T>> send, TimeSpan timeout)
    {
        var bus = Volatile.Read(ref _bus);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await send(bus, cts.Token).WaitAsync(timeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            Interlocked.Exchange(ref _failures, 0);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cts.IsCancellationRequested)
        {
            if (Interlocked.Increment(ref _failures) >= FailuresBeforeRenewal)
            {
                await RenewAsync(bus).ConfigureAwait(false);
            }

            if (ex is OperationCanceledException)
            {
                throw new TimeoutException($"not sent within {timeout.TotalSeconds:0} s", ex);
            }

            throw;
        }
    }

    /// <summary>One attempt of a send that returns nothing (see <see cref="SendAsync{T}"/>).</summary>
    public Task SendAsync(Func<IBus, CancellationToken, Task> send, TimeSpan timeout) =>
        SendAsync(
            async (bus, ct) =>
            {
                await send(bus, ct).ConfigureAwait(false);
                return true;
            },
            timeout);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await BusLifetime.StopQuietlyAsync(Volatile.Read(ref _bus)).ConfigureAwait(false);
        _renewing.Dispose();
    }

    private async Task RenewAsync(IBusControl failed)
    {
        await _renewing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(Volatile.Read(ref _bus), failed))
            {
                return; // another send renewed it already
            }

            await _log.WriteLineAsync($"bus: {FailuresBeforeRenewal} sends in a row failed; sending on a new connection").ConfigureAwait(false);
            var fresh = _create();
            try
            {
                await BusLifetime.StartWithinAsync(fresh).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the broker is still away: keep the old bus; the next failures try again
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await _log.WriteLineAsync($"bus: the new connection failed too ({ex.GetType().Name}: {ex.Message}); trying again later").ConfigureAwait(false);
                _ = BusLifetime.StopQuietlyAsync(fresh);
                Interlocked.Exchange(ref _failures, 0);
                return;
            }

            Volatile.Write(ref _bus, fresh);
            Generation++;
            Interlocked.Exchange(ref _failures, 0);
            _ = BusLifetime.StopQuietlyAsync(failed);
        }
        finally
        {
            _renewing.Release();
        }
    }
}
