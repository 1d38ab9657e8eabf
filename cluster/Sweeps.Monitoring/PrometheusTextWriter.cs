using System.Globalization;
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
/// Prometheus names (letters, digits, underscores) with the unit in the name.
/// </remarks>
internal static class PrometheusTextWriter
{
    /// <summary>The HTTP Content-Type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Appends every metric of <paramref name="batch"/> to <paramref name="text"/>.</summary>
    public static void Write(StringBuilder text, in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            Write(text, metric);
        }
    }

    /// <summary>Appends one metric family (nothing when it has no exported point).</summary>
    public static void Write(StringBuilder text, Metric metric)
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
                text.Append("# HELP ").Append(name).Append(' ');
                AppendEscapedHelp(text, string.IsNullOrEmpty(metric.Description) ? metric.Name : metric.Description);
                text.Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(promType).Append('\n');
                headerWritten = true;
            }

            switch (type)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    AppendSample(text, name, "", point.Tags, null, null);
                    AppendLong(text, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    AppendSample(text, name, "", point.Tags, null, null);
                    AppendDouble(text, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    AppendSample(text, name, "", point.Tags, null, null);
                    AppendLong(text, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    AppendSample(text, name, "", point.Tags, null, null);
                    AppendDouble(text, point.GetGaugeLastValueDouble());
                    break;
                case MetricType.Histogram:
                    AppendHistogram(text, name, point);
                    break;
            }
        }
    }

    private static void AppendHistogram(StringBuilder text, string name, in MetricPoint point)
    {
        long cumulative = 0;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : FormatDouble(bucket.ExplicitBound);
            AppendSample(text, name, "_bucket", point.Tags, "le", le);
            AppendLong(text, cumulative);
        }

        AppendSample(text, name, "_sum", point.Tags, null, null);
        AppendDouble(text, point.GetHistogramSum());
        AppendSample(text, name, "_count", point.Tags, null, null);
        AppendLong(text, point.GetHistogramCount());
    }

    // name{labels} (then the caller appends the value and the newline).
    private static void AppendSample(
        StringBuilder text, string name, string suffix, ReadOnlyTagCollection tags, string? extraName, string? extraValue)
    {
        text.Append(name).Append(suffix);
        var first = true;
        foreach (var tag in tags)
        {
            text.Append(first ? '{' : ',');
            first = false;
            text.Append(SanitizeName(tag.Key)).Append("=\"");
            AppendEscapedLabelValue(text, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "");
            text.Append('"');
        }

        if (extraName is not null)
        {
            text.Append(first ? '{' : ',');
            first = false;
            text.Append(extraName).Append("=\"").Append(extraValue).Append('"');
        }

        if (!first)
        {
            text.Append('}');
        }

        text.Append(' ');
    }

    private static void AppendLong(StringBuilder text, long value) =>
        text.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void AppendDouble(StringBuilder text, double value) => text.Append(FormatDouble(value)).Append('\n');

    /// <summary>A sample value as Prometheus parses it: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> or the shortest round-trip form.</summary>
    internal static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    internal static void AppendEscapedLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append("\\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    /// <summary>HELP text escapes backslash and line feed.</summary>
    private static void AppendEscapedHelp(StringBuilder text, string help)
    {
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                default: text.Append(c); break;
            }
        }
    }

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
