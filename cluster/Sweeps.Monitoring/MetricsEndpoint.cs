using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sweeps.Monitoring;

/// <summary>
/// An HTTP server (Kestrel) serving <see cref="SweepMetrics.Scrape"/> at <c>GET /metrics</c> in the
/// Prometheus text format, and <c>GET /healthz</c> (<c>ok</c>). One per process: the coordinator,
/// each worker, or the single process of embedded mode. Dispose it to stop listening.
/// </summary>
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

        var app = builder.Build();
        app.MapGet("/metrics", (HttpContext context) => ServeMetrics(metrics, context));
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

    private static async Task ServeMetrics(SweepMetrics metrics, HttpContext context)
    {
        var (buffer, length) = metrics.ScrapeRented();
        try
        {
            context.Response.ContentType = SweepMetrics.ContentType;
            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
