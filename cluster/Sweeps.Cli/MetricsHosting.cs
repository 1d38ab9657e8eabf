using Sweeps.Monitoring;

namespace Sweeps.Cli;

/// <summary>Starts the Prometheus <c>/metrics</c> endpoint of a CLI process (<c>run</c>, <c>coordinator</c>,
/// <c>worker</c>): a process never fails for its metrics endpoint.</summary>
internal static class MetricsHosting
{
    /// <summary>Parses <paramref name="address"/> (<see cref="MetricsEndpointOptions.Parse"/>; null or <c>off</c>:
    /// none), starts the endpoint and prints its address. When the port is taken, a free port is used instead.</summary>
    /// <returns>The metrics and their endpoint (both null for none), or <c>Error</c> true for an address that does
    /// not parse (printed to <paramref name="error"/>).</returns>
    public static async Task<(SweepMetrics? Metrics, MetricsEndpoint? Endpoint, bool Error)> StartAsync(
        string? address, string what, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (address is null || address.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null, false);
        }

        MetricsEndpointOptions options;
        try
        {
            options = MetricsEndpointOptions.Parse(address);
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"error: {what}: {ex.Message}").ConfigureAwait(false);
            return (null, null, true);
        }

        var metrics = new SweepMetrics();
        var endpoint = await StartAsync(metrics, options, error, cancellationToken).ConfigureAwait(false);
        if (endpoint is null)
        {
            metrics.Dispose();
            return (null, null, false);
        }

        await output.WriteLineAsync($"metrics: {endpoint.MetricsUri}").ConfigureAwait(false);
        return (metrics, endpoint, false);
    }

    private static async Task<MetricsEndpoint?> StartAsync(SweepMetrics metrics, MetricsEndpointOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await MetricsEndpoint.StartAsync(metrics, options, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (options.Port != 0)
        {
            await error.WriteLineAsync($"warning: metrics: {ex.Message}; using a free port instead").ConfigureAwait(false);
            return await StartAsync(metrics, options with { Port = 0 }, error, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"warning: metrics: {ex.Message}; running without a /metrics endpoint").ConfigureAwait(false);
            return null;
        }
    }
}
