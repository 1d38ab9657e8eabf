using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Sweeps.Monitoring;

/// <summary>
/// An HTTP server (Kestrel) serving a <see cref="SweepMetrics"/> at <c>GET /metrics</c> through OpenTelemetry's
/// Prometheus exporter (the Prometheus text format 0.0.4, or OpenMetrics 1.0 when the scraper asks for it, as
/// Prometheus does), with the process and .NET runtime metrics of OpenTelemetry's instrumentation packages, and
/// <c>GET /healthz</c> (<c>ok</c>). One per process: the coordinator, each worker, or the single process of
/// embedded mode. Dispose it to stop listening.
/// </summary>
/// <remarks>
/// The exporter's <c>target_info</c> series and <c>otel_scope_*</c> labels are turned off: a series carries only its
/// own labels. The endpoint owns the OpenTelemetry meter provider that aggregates the metrics (created at start,
/// disposed with the endpoint): counters count from the endpoint's start. Every scrape collects anew (no response cache), so a
/// scrape shows every report made before it. The instrumentation's gauges named <c>*.count</c> are renamed (see
/// <see cref="CountGaugeNames"/>): Prometheus reserves the <c>_count</c> suffix for histograms and summaries, and
/// <c>promtool check metrics</c> rejects them. The process instrumentation's count of open file descriptors is left
/// out (<see cref="DroppedInstruments"/>): .NET counts them with a <c>stat</c> of every entry of <c>/proc/self/fd</c>,
/// about 1 ms of CPU per scrape, a tenth of a scrape of 500 running trials.
/// </remarks>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;

    private MetricsEndpoint(WebApplication app, IPAddress address, int port)
    {
        this.app = app;
        Address = address;
        Port = port;
    }

    /// <summary>The address it listens on.</summary>
    public IPAddress Address { get; }

    /// <summary>The port it listens on (the one picked when the options said 0).</summary>
    public int Port { get; }

    /// <summary><c>http://address:port/metrics</c>.</summary>
    public Uri MetricsUri => new($"http://{new IPEndPoint(Address, Port)}/metrics");

    /// <summary>Starts listening.</summary>
    /// <param name="metrics">The metrics to serve (not owned: dispose it after the endpoint).</param>
    /// <param name="options">Address and port (default 127.0.0.1:9464).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running endpoint.</returns>
    /// <exception cref="IOException">The address cannot be bound (e.g. the port is in use); the message names it.</exception>
    public static async Task<MetricsEndpoint> StartAsync(
        SweepMetrics metrics, MetricsEndpointOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= MetricsEndpointOptions.Default;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(MetricsEndpoint).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Address, options.Port);
        });
        builder.WebHost.UseSetting(WebHostDefaults.PreventHostingStartupKey, "true");
        builder.WebHost.UseSetting(WebHostDefaults.SuppressStatusMessagesKey, "true");
        builder.Services.AddOpenTelemetry().WithMetrics(provider => metrics.AddTo(provider)
            .AddProcessInstrumentation()
            .AddRuntimeInstrumentation()
            .AddView(InstrumentationView)
            .AddPrometheusExporter(exporter =>
            {
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
                // The scrape's instance label names the process; the SDK's resource (unknown_service:dotnet) says nothing more.
                exporter.TargetInfoEnabled = false;
                // Each metric name comes from one meter, so the otel_scope_* labels would tell nothing, and they made a
                // scrape of 500 running trials 23 % larger (528 KiB instead of 428 KiB).
                exporter.ScopeInfoEnabled = false;
            }));

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.Body.WriteAsync("ok\n"u8.ToArray(), context.RequestAborted).AsTask();
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the metrics endpoint cannot listen on {options}: {e.Message}", e);
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        var bound = new Uri(addresses!.Addresses.First());
        return new MetricsEndpoint(app, options.Address, bound.Port);
    }

    /// <summary>The instrumentation's gauges whose names end in <c>.count</c> (instrument name, by meter) and the
    /// names they are exported under.</summary>
    internal static IReadOnlyDictionary<(string Meter, string Instrument), string> CountGaugeNames { get; } =
        new Dictionary<(string, string), string>
        {
            [("System.Runtime", "dotnet.assembly.count")] = "dotnet.assemblies",
            [("System.Runtime", "dotnet.process.cpu.count")] = "dotnet.process.cpus",
            [("System.Runtime", "dotnet.thread_pool.thread.count")] = "dotnet.thread_pool.threads",
            [("System.Runtime", "dotnet.timer.count")] = "dotnet.timers",
            [("OpenTelemetry.Instrumentation.Process", "process.thread.count")] = "process.threads",
        };

    /// <summary>The instrumentation's instruments that are not exported (meter, instrument name).</summary>
    internal static IReadOnlySet<(string Meter, string Instrument)> DroppedInstruments { get; } =
        new HashSet<(string, string)> { ("OpenTelemetry.Instrumentation.Process", "process.unix.file_descriptor.count") };

    private static MetricStreamConfiguration? InstrumentationView(Instrument instrument)
    {
        var key = (instrument.Meter.Name, instrument.Name);
        if (DroppedInstruments.Contains(key))
        {
            return MetricStreamConfiguration.Drop;
        }

        return CountGaugeNames.TryGetValue(key, out var name) ? new MetricStreamConfiguration { Name = name } : null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
