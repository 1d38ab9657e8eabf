using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Sweeps.Monitoring;

/// <summary>
/// Renders the OpenTelemetry SDK's aggregated metrics in the Prometheus text exposition format,
/// version 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/): one
/// <c># HELP</c> and one <c># TYPE</c> line per family, then its samples without timestamps
/// (Prometheus stamps them with the scrape time).
/// </summary>
/// <remarks>
/// Monotonic sums are counters and get a <c>_total</c> suffix when their name lacks one; non-monotonic
/// sums and gauges are gauges; explicit-bucket histograms are <c>_bucket</c> lines with cumulative
/// counts and an <c>le</c> label (the last one <c>+Inf</c>), then <c>_sum</c> and <c>_count</c>.
/// Exponential histograms are not used by Sweeps and are left out. Instrument names must already be
/// Prometheus names (letters, digits, underscores) with the unit in the name. The loops are compiled
/// fully optimised at once: a process is scraped only every few seconds, so tiered compilation would
/// run them unoptimised for its first minutes.
/// </remarks>
internal static class PrometheusTextWriter
{
    /// <summary>The HTTP Content-Type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Appends every metric of <paramref name="batch"/> to <paramref name="text"/>.</summary>
    public static void Write(Utf8TextBuffer text, in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            Write(text, metric);
        }
    }

    /// <summary>Appends one metric family (nothing when it has no point).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(Utf8TextBuffer text, Metric metric)
    {
        var type = metric.MetricType;
        string promType;
        var name = SanitizeName(metric.Name);
        switch (type)
        {
            case MetricType.LongSum or MetricType.DoubleSum:
                promType = "counter";
                if (!name.EndsWith("_total", StringComparison.Ordinal))
                {
                    name += "_total";
                }

                break;
            case MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic
                or MetricType.LongGauge or MetricType.DoubleGauge:
                promType = "gauge";
                break;
            case MetricType.Histogram:
                promType = "histogram";
                break;
            default:
                return;
        }

        var headerWritten = false;
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            if (!headerWritten)
            {
                text.Append("# HELP ").Append(name).Append(' ')
                    .Append(EscapeHelp(string.IsNullOrEmpty(metric.Description) ? metric.Name : metric.Description)).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(promType).Append('\n');
                headerWritten = true;
            }

            switch (type)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    AppendSample(text, name, "", point.Tags, null);
                    text.Append(point.GetSumLong()).Append('\n');
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    AppendSample(text, name, "", point.Tags, null);
                    text.Append(point.GetSumDouble()).Append('\n');
                    break;
                case MetricType.LongGauge:
                    AppendSample(text, name, "", point.Tags, null);
                    text.Append(point.GetGaugeLastValueLong()).Append('\n');
                    break;
                case MetricType.DoubleGauge:
                    AppendSample(text, name, "", point.Tags, null);
                    text.Append(point.GetGaugeLastValueDouble()).Append('\n');
                    break;
                case MetricType.Histogram:
                    AppendHistogram(text, name, point);
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AppendHistogram(Utf8TextBuffer text, string name, in MetricPoint point)
    {
        long cumulative = 0;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            var le = double.IsPositiveInfinity(bucket.ExplicitBound)
                ? "+Inf"
                : bucket.ExplicitBound.ToString("R", CultureInfo.InvariantCulture);
            AppendSample(text, name, "_bucket", point.Tags, le);
            text.Append(cumulative).Append('\n');
        }

        AppendSample(text, name, "_sum", point.Tags, null);
        text.Append(point.GetHistogramSum()).Append('\n');
        AppendSample(text, name, "_count", point.Tags, null);
        text.Append(point.GetHistogramCount()).Append('\n');
    }

    // name{labels} and a space (the caller appends the value and the newline).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AppendSample(Utf8TextBuffer text, string name, string suffix, ReadOnlyTagCollection tags, string? le)
    {
        text.Append(name).Append(suffix);
        var first = true;
        foreach (var tag in tags)
        {
            text.Append(first ? '{' : ',');
            first = false;
            text.Append(SanitizeName(tag.Key)).Append("=\""u8)
                .Append(EscapeLabelValue(tag.Value as string ?? Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""))
                .Append('"');
        }

        if (le is not null)
        {
            text.Append(first ? '{' : ',').Append("le=\"").Append(le).Append('"');
            first = false;
        }

        if (!first)
        {
            text.Append('}');
        }

        text.Append(' ');
    }

    /// <summary>A label value with backslash, double quote and line feed escaped.</summary>
    internal static string EscapeLabelValue(string value) =>
        value.AsSpan().IndexOfAny('\\', '"', '\n') < 0
            ? value
            : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>HELP text with backslash and line feed escaped.</summary>
    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A metric or label name with every character outside [a-zA-Z0-9_] replaced by '_' (and no leading digit).</summary>
    internal static string SanitizeName(string name)
    {
        var ok = name.Length > 0 && !char.IsAsciiDigit(name[0]);
        foreach (var c in name)
        {
            ok &= char.IsAsciiLetterOrDigit(c) || c == '_';
        }

        if (ok)
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + 1);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }
}
