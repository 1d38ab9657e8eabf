using System.Net;

namespace Sweeps.Monitoring.Tests;

/// <summary>
/// A <see cref="SweepMetrics"/> behind its real /metrics endpoint on 127.0.0.1 (a free port), read back over HTTP the
/// way Prometheus reads it: the tests see exactly what a scrape shows.
/// </summary>
internal sealed class ServedMetrics : IAsyncDisposable
{
    /// <summary>What Prometheus 2.x sends (it gets OpenMetrics when the exporter offers it).</summary>
    public const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private ServedMetrics(SweepMetrics metrics, MetricsEndpoint endpoint)
    {
        Metrics = metrics;
        Endpoint = endpoint;
    }

    public SweepMetrics Metrics { get; }

    public MetricsEndpoint Endpoint { get; }

    public static async Task<ServedMetrics> StartAsync(TimeProvider? time = null)
    {
        var metrics = new SweepMetrics(time);
        try
        {
            return new ServedMetrics(metrics, await MetricsEndpoint.StartAsync(metrics, new MetricsEndpointOptions(IPAddress.Loopback, 0)));
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    /// <summary>GET /metrics without an Accept header (as curl): the Prometheus text format 0.0.4.</summary>
    public Task<string> ScrapeTextAsync() => http.GetStringAsync(Endpoint.MetricsUri);

    /// <summary>GET /metrics, parsed strictly.</summary>
    public async Task<List<Sample>> ScrapeAsync() => Exposition.Parse(await ScrapeTextAsync());

    /// <summary>GET /metrics with the given Accept header; the response's content type and text.</summary>
    public async Task<(string ContentType, string Text)> ScrapeAsync(string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.MetricsUri);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        Metrics.Dispose();
        http.Dispose();
    }
}
