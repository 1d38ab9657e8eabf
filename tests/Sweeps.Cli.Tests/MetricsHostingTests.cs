using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Sweeps.Cli.Tests;

/// <summary>The CLI's /metrics address options: ADDR:PORT, a port, off, and a free port when the one asked for is taken.</summary>
public sealed partial class MetricsHostingTests
{
    [Fact]
    public async Task StartAsync_Off_NoEndpointAndNoError()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var (metrics, endpoint, bad) = await MetricsHosting.StartAsync("off", "--metrics", output, error, CancellationToken.None);
        Assert.Null(metrics);
        Assert.Null(endpoint);
        Assert.False(bad);
        Assert.Equal("", output.ToString() + error.ToString());
    }

    [Theory]
    [InlineData("localhost:9464")]
    [InlineData("127.0.0.1:70000")]
    public async Task StartAsync_BadAddress_ErrorNamingTheOptionAndTheText(string address)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var (metrics, endpoint, bad) = await MetricsHosting.StartAsync(address, "--metrics", output, error, CancellationToken.None);
        Assert.True(bad);
        Assert.Null(metrics);
        Assert.Null(endpoint);
        Assert.StartsWith($"error: --metrics: '{address}' is not a metrics address", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_AddressAndPort_ServesTheExportersMetricsThereAndPrintsIt()
    {
        var port = FreePort();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var (metrics, endpoint, bad) = await MetricsHosting.StartAsync($"127.0.0.1:{port}", "--metrics", output, error, CancellationToken.None);
        using var owner = metrics;
        await using var served = endpoint;
        Assert.False(bad);
        Assert.Equal(port, endpoint!.Port);
        Assert.Equal($"metrics: http://127.0.0.1:{port}/metrics", output.ToString().Trim());
        metrics!.TrialStateChanged("cli", null, "pending");
        using var http = new HttpClient();
        var text = await http.GetStringAsync(endpoint.MetricsUri);
        Assert.Contains("sweeps_trials{state=\"pending\",sweep=\"cli\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("process_cpu_time_seconds_total{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_PortTaken_WarnsAndServesOnAFreePort()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var (metrics, endpoint, bad) = await MetricsHosting.StartAsync(port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--metrics", output, error, CancellationToken.None);
        using var owner = metrics;
        await using var served = endpoint;
        Assert.False(bad);
        Assert.NotNull(endpoint);
        Assert.NotEqual(port, endpoint.Port);
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        Assert.Contains($"warning: metrics: the metrics endpoint cannot listen on 127.0.0.1:{port}", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("using a free port instead", error.ToString(), StringComparison.Ordinal);
        var printed = PrintedPort().Match(output.ToString());
        Assert.True(printed.Success, output.ToString());
        Assert.Equal(endpoint.Port, int.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        // The meter provider of the failed start is gone; the instruments report to the one that serves.
        metrics!.EventRecorded(deduplicated: false);
        using var http = new HttpClient();
        Assert.Matches(@"\nsweeps_events_recorded_total(\{\})? 1\n", await http.GetStringAsync(endpoint.MetricsUri));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^metrics: http://127\.0\.0\.1:(\d+)/metrics$", RegexOptions.Multiline)]
    private static partial Regex PrintedPort();
}
