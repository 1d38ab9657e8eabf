using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Sweeps.Monitoring;

/// <summary>
/// A pull exporter: its reader collects only when <see cref="Collect"/> is called (the SDK sets that
/// delegate), and the batch is rendered in the Prometheus text format into <see cref="Text"/>.
/// Not thread-safe: one collection at a time (the owner serialises them).
/// </summary>
[ExportModes(ExportModes.Pull)]
internal sealed class PrometheusTextExporter : BaseExporter<Metric>, IPullMetricExporter
{
    /// <summary>Set by the SDK's reader: collects (timeout in milliseconds) and calls <see cref="Export"/>.</summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>The text of the last collection (cleared by the owner before each one).</summary>
    public Utf8TextBuffer Text { get; } = new();

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Metric> batch)
    {
        PrometheusTextWriter.Write(Text, batch);
        return ExportResult.Success;
    }
}
