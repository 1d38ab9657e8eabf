using Xunit.Abstractions;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sweeps.Monitoring.Tests;

[Collection(TimingCollection.Name)]
public sealed class MetricsEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StartAsync_PortZero_ListensOnLoopbackOnAFreePortAndServesMetrics()
    {
        using var metrics = new SweepMetrics();
        metrics.TrialStateChanged("quick", null, "pending");
        await using var endpoint = await MetricsEndpoint.StartAsync(metrics, new MetricsEndpointOptions(IPAddress.Loopback, 0));
        metrics.TrialStateChanged("quick", null, "pending");
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        Assert.InRange(endpoint.Port, 1, 65535);
        Assert.Equal($"http://127.0.0.1:{endpoint.Port}/metrics", endpoint.MetricsUri.ToString());

        using var http = new HttpClient();
        using var response = await http.GetAsync(endpoint.MetricsUri);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var samples = Exposition.Parse(await response.Content.ReadAsByteArrayAsync());
        // Gauges show every report, also those made before the endpoint started (the facade holds their values).
        Assert.Equal(2, samples.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "pending")));

        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(endpoint.MetricsUri, "/healthz")));
        using var missing = await http.GetAsync(new Uri(endpoint.MetricsUri, "/nothing"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task StartAsync_Default_IsLoopbackOnly()
    {
        Assert.Equal(new MetricsEndpointOptions(IPAddress.Loopback, 9464), MetricsEndpointOptions.Default);
        using var metrics = new SweepMetrics();
        await using var endpoint = await MetricsEndpoint.StartAsync(metrics, MetricsEndpointOptions.Parse("0"));
        // Not reachable on another local address of this machine (when it has one).
        var other = Dns.GetHostAddresses(Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (other is not null)
        {
            using var client = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(other, endpoint.Port));
        }

        using var loopback = new TcpClient();
        await loopback.ConnectAsync(IPAddress.Loopback, endpoint.Port);
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsNamingTheAddress()
    {
        using var metrics = new SweepMetrics();
        await using var first = await MetricsEndpoint.StartAsync(metrics, MetricsEndpointOptions.Parse("127.0.0.1:0"));
        var e = await Assert.ThrowsAsync<IOException>(() =>
            MetricsEndpoint.StartAsync(metrics, new MetricsEndpointOptions(IPAddress.Loopback, first.Port)));
        Assert.Contains($"127.0.0.1:{first.Port}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1", 9464)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    [InlineData("[::1]:9500", "::1", 9500)]
    [InlineData(" 9465 ", "127.0.0.1", 9465)]
    public void Parse_ValidAddress_AddressAndPort(string text, string address, int port)
    {
        var options = MetricsEndpointOptions.Parse(text);
        Assert.Equal(IPAddress.Parse(address), options.Address);
        Assert.Equal(port, options.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost:9464")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1")]
    [InlineData("-1")]
    [InlineData("::1")]
    public void Parse_InvalidAddress_FormatExceptionNamingIt(string text)
    {
        var e = Assert.Throws<FormatException>(() => MetricsEndpointOptions.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("address:port", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_PrometheusAcceptHeader_ServesOpenMetricsWithTheSameSamples()
    {
        await using var served = await ServedMetrics.StartAsync();
        served.Metrics.TrialStateChanged("quick", null, "pending");
        served.Metrics.TrialFinished("quick", "qat", 12, "failed");
        var (contentType, text) = await served.ScrapeAsync(ServedMetrics.PrometheusAccept);
        Assert.StartsWith("application/openmetrics-text; version=1.0.0", contentType, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        // OpenMetrics names the counter family without _total; its samples keep it.
        Assert.Contains("# TYPE sweeps_trials_finished counter\n", text, StringComparison.Ordinal);
        Assert.Contains("sweeps_trials_finished_total{method=\"qat\",status=\"failed\",sweep=\"quick\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sweeps_trials{state=\"pending\",sweep=\"quick\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_FiveHundredRunningTrials_AnswersWellUnder100Ms()
    {
        await using var served = await ServedMetrics.StartAsync();
        SimulatedSweep.StartRunningTrials(served.Metrics, 500);
        var samples = await served.ScrapeAsync();
        Assert.Equal(500, samples.Find(MetricNames.TrialTrainLoss).Count);

        // Warm-up: tiered compilation optimises the SDK's, the exporter's and ASP.NET Core's hot methods in steps (some
        // 30 calls and a delay each, then again after profiling); a process serves its first ~200 scrapes partly from
        // code that is not yet optimised and spends much of their CPU time in the JIT (docs/benchmarks.md#metrics).
        for (var i = 0; i < 200; i++)
        {
            await served.ScrapeTextAsync();
        }

        await Task.Delay(500);

        const int requests = 30;
        var times = new List<double>();
        var cpu0 = Environment.CpuUsage.TotalTime;
        for (var i = 0; i < requests; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var text = await served.ScrapeTextAsync();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            Assert.True(text.Length > 100_000, $"only {text.Length} characters");
        }

        var cpuPerRequest = (Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds / requests;
        times.Sort();
        var median = times[requests / 2];
        // The bar is "well under 100 ms". Wall-clock time depends on what else runs on the machine (the shared CI
        // machine is often loaded many times over), so the test bounds the CPU time this process spends per request
        // (collection, the exporter's rendering, Kestrel and the HttpClient reading the answer; the test runs alone
        // in its collection) to half of that, and the wall-clock time only loosely; ./sweeps.sh bench metrics
        // measures the latency against a trivial endpoint (docs/benchmarks.md).
        var report = $"500 running trials: process CPU {cpuPerRequest:F1} ms per GET /metrics; wall-clock median {median:F1} ms";
        output.WriteLine(report);
        Assert.True(cpuPerRequest < 50, report);
        Assert.True(median < 500, report);
    }
}
