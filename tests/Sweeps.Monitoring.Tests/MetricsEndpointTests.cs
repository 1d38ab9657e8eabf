using Xunit.Abstractions;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

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
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        Assert.InRange(endpoint.Port, 1, 65535);
        Assert.Equal($"http://127.0.0.1:{endpoint.Port}/metrics", endpoint.MetricsUri.ToString());

        using var http = new HttpClient();
        using var response = await http.GetAsync(endpoint.MetricsUri);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var samples = Exposition.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, samples.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "pending")));

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
    public async Task Get_FiveHundredRunningTrials_AnswersWellUnder100Ms()
    {
        using var metrics = new SweepMetrics();
        SimulatedSweep.StartRunningTrials(metrics, 500);
        await using var endpoint = await MetricsEndpoint.StartAsync(metrics, MetricsEndpointOptions.Parse("0"));
        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(endpoint.MetricsUri);
        var samples = Exposition.Parse(body);
        Assert.Equal(500, samples.Find(MetricNames.TrialTrainLoss).Count);

        // Warm-up: tiered compilation optimises the SDK's and ASP.NET Core's hot methods after some
        // 30 calls plus a delay; before that the CPU time is mostly the JIT's.
        for (var i = 0; i < 60; i++)
        {
            await http.GetByteArrayAsync(endpoint.MetricsUri);
        }

        await Task.Delay(500);

        const int requests = 30;
        var times = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var bytes = await http.GetByteArrayAsync(endpoint.MetricsUri);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            Assert.True(bytes.Length > 100_000, $"only {bytes.Length} bytes");
        }

        var cpu = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            // The endpoint's path: collect and render into a pooled buffer.
            var c0 = ThreadCpu.Now();
            var (buffer, _) = metrics.ScrapeRented();
            cpu.Add((ThreadCpu.Now() - c0).TotalMilliseconds);
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        times.Sort();
        cpu.Sort();
        var median = times[requests / 2];
        var cpuMedian = cpu[requests / 2];
        // The bar is "well under 100 ms". Wall-clock time depends on what else runs on the machine (the
        // shared CI machine is often loaded many times over), so the test bounds the CPU time of the
        // work behind a request (collection and rendering into the pooled buffer, measured on the
        // thread doing it) to a quarter of that, and the wall-clock time only loosely;
        // ./sweeps.sh bench metrics measures the latency against a trivial endpoint
        // (docs/benchmarks.md). Measured here: 2.4 ms of CPU at a load average of 25 on 2 cores.
        var report = $"500 running trials: scrape CPU median {cpuMedian:F1} ms; GET /metrics wall-clock median {median:F1} ms";
        output.WriteLine(report);
        Assert.True(cpuMedian < 25, report);
        Assert.True(median < 500, report);
        Assert.Contains("sweeps_trial_train_loss{", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }
}
