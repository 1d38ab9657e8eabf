using MassTransit;

namespace Sweeps.Cluster;

/// <summary>Starting and stopping a node's buses within bounded times: a bus whose broker is gone can hang on either.</summary>
internal static class BusLifetime
{
    /// <summary>How long starting a replacement bus may take.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long stopping a replaced bus is waited for before it is left behind.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts <paramref name="bus"/>; throws (also <see cref="TimeoutException"/>) when it is not started within <see cref="StartTimeout"/>.</summary>
    public static async Task StartWithinAsync(IBusControl bus)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        await bus.StartAsync(cts.Token).WaitAsync(StartTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    }

    /// <summary>Stops <paramref name="bus"/>, waiting at most <see cref="StopTimeout"/>; never throws.</summary>
    public static async Task StopQuietlyAsync(IBusControl bus)
    {
        try
        {
            using var cts = new CancellationTokenSource(StopTimeout);
            await bus.StopAsync(cts.Token).WaitAsync(StopTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a bus that cannot stop (its broker gone, a delivery still held) is left behind: its replacement matters
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
