using System.Diagnostics.Metrics;
using System.Buffers;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Sweeps.Monitoring;

/// <summary>
/// The OpenTelemetry SDK pipeline behind one /metrics endpoint: a meter provider listening to one meter,
/// a pull reader with cumulative temporality and the Prometheus text exporter. <see cref="Collect"/> is
/// thread-safe (collections are serialised).
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    private readonly MeterProvider provider;
    private readonly BaseExportingMetricReader reader;
    private readonly PrometheusTextExporter exporter;
    private readonly Lock gate = new();

    /// <summary>Listens to the meter named <paramref name="meterName"/>.</summary>
    /// <param name="meterName">The meter's name (unique per collector, so that two collectors in one process do not see each other's instruments).</param>
    /// <param name="view">Stream configuration per instrument (histogram buckets, cardinality limits); null = the SDK's defaults.</param>
    public PrometheusCollector(
        string meterName, Func<Instrument, MetricStreamConfiguration?>? view = null)
    {
        exporter = new PrometheusTextExporter();
        reader = new BaseExportingMetricReader(exporter)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
        var builder = Sdk.CreateMeterProviderBuilder().AddMeter(meterName).AddReader(reader);
        if (view is not null)
        {
            builder.AddView(view);
        }

        provider = builder.Build();
    }

    /// <summary>Collects every instrument (running observable callbacks) and returns the UTF-8 text.</summary>
    /// <exception cref="InvalidOperationException">The SDK's collection failed or timed out (10 s).</exception>
    public byte[] Collect()
    {
        lock (gate)
        {
            return CollectLocked().ToArray();
        }
    }

    /// <summary>Collects into a buffer rented from <see cref="ArrayPool{T}.Shared"/>; the caller returns it.</summary>
    /// <returns>The buffer and the length of the text in it.</returns>
    /// <exception cref="InvalidOperationException">The SDK's collection failed or timed out (10 s).</exception>
    public (byte[] Buffer, int Length) CollectRented()
    {
        lock (gate)
        {
            var text = CollectLocked();
            var buffer = ArrayPool<byte>.Shared.Rent(text.Length);
            text.CopyTo(buffer);
            return (buffer, text.Length);
        }
    }

    private ReadOnlySpan<byte> CollectLocked()
    {
        exporter.Text.Clear();
        var collect = exporter.Collect ?? throw new ObjectDisposedException(nameof(PrometheusCollector));
        if (!collect(10_000))
        {
            throw new InvalidOperationException("collecting the metrics failed (OpenTelemetry SDK collect returned false)");
        }

        return exporter.Text.Written;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        provider.Dispose();
        exporter.Dispose();
    }
}
