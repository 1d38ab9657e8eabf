using System.Diagnostics.Metrics;
using System.Text;
using OpenTelemetry.Metrics;

namespace Sweeps.Monitoring.Tests;

public sealed class PrometheusTextWriterTests
{
    private static int meters;

    private static (Meter Meter, PrometheusCollector Collector) Pipeline(Func<Instrument, MetricStreamConfiguration?>? view = null)
    {
        var name = "Sweeps.Monitoring.Tests.Format." + Interlocked.Increment(ref meters);
        return (new Meter(name), new PrometheusCollector(name, view));
    }

    private static string Text(PrometheusCollector collector) => Encoding.UTF8.GetString(collector.Collect());

    [Fact]
    public void Collect_CounterWithoutSuffix_GetsTotalSuffixHelpAndType()
    {
        var (meter, collector) = Pipeline();
        using (meter)
        using (collector)
        {
            var counter = meter.CreateCounter<long>("requests", description: "Requests served.");
            counter.Add(2);
            counter.Add(1);
            var already = meter.CreateCounter<double>("work_seconds_total", description: "Seconds worked.");
            already.Add(0.25);

            Assert.Equal(
                "# HELP requests_total Requests served.\n"
                + "# TYPE requests_total counter\n"
                + "requests_total 3\n"
                + "# HELP work_seconds_total Seconds worked.\n"
                + "# TYPE work_seconds_total counter\n"
                + "work_seconds_total 0.25\n",
                Text(collector));
        }
    }

    [Fact]
    public void Collect_LabelValueWithBackslashQuoteNewline_IsEscaped()
    {
        var (meter, collector) = Pipeline();
        using (meter)
        using (collector)
        {
            var counter = meter.CreateCounter<long>("odd_total", description: "Odd labels.");
            counter.Add(1, new KeyValuePair<string, object?>("path", "C:\\dir \"x\"\nnext"));

            var text = Text(collector);
            Assert.Contains("\nodd_total{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n", text, StringComparison.Ordinal);
            var sample = Assert.Single(Exposition.Parse(text));
            Assert.Equal("C:\\dir \"x\"\nnext", sample.Label("path"));
        }
    }

    [Fact]
    public void Collect_HelpWithBackslashAndNewline_IsEscaped()
    {
        var (meter, collector) = Pipeline();
        using (meter)
        using (collector)
        {
            meter.CreateObservableGauge("g_bytes", () => 1.0, description: "first \\ line\nsecond line");
            Assert.Equal(
                "# HELP g_bytes first \\\\ line\\nsecond line\n# TYPE g_bytes gauge\ng_bytes 1\n",
                Text(collector));
        }
    }

    [Fact]
    public void Collect_Histogram_CumulativeBucketsWithLeInfSumAndCount()
    {
        var (meter, collector) = Pipeline(i => i.Name == "latency_seconds"
            ? new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 1] }
            : null);
        using (meter)
        using (collector)
        {
            var histogram = meter.CreateHistogram<double>("latency_seconds", description: "Latency.");
            var tag = new KeyValuePair<string, object?>("method", "get");
            foreach (var v in new[] { 0.05, 0.5, 0.75, 3.0 })
            {
                histogram.Record(v, tag);
            }

            // By hand: <= 0.1: {0.05} = 1; <= 1: {0.05, 0.5, 0.75} = 3; all = 4; sum 4.3.
            Assert.Equal(
                "# HELP latency_seconds Latency.\n"
                + "# TYPE latency_seconds histogram\n"
                + "latency_seconds_bucket{method=\"get\",le=\"0.1\"} 1\n"
                + "latency_seconds_bucket{method=\"get\",le=\"1\"} 3\n"
                + "latency_seconds_bucket{method=\"get\",le=\"+Inf\"} 4\n"
                + "latency_seconds_sum{method=\"get\"} 4.3\n"
                + "latency_seconds_count{method=\"get\"} 4\n",
                Text(collector));
        }
    }

    [Fact]
    public void Collect_GaugesAndUpDownCounter_AreGaugesWithSpecialValues()
    {
        var (meter, collector) = Pipeline();
        using (meter)
        using (collector)
        {
            var queue = meter.CreateUpDownCounter<long>("queue_length", description: "Queued.");
            queue.Add(5);
            queue.Add(-2);
            meter.CreateObservableGauge("values", () => new[]
            {
                new Measurement<double>(double.NaN, new KeyValuePair<string, object?>("k", "nan")),
                new Measurement<double>(double.PositiveInfinity, new KeyValuePair<string, object?>("k", "pinf")),
                new Measurement<double>(double.NegativeInfinity, new KeyValuePair<string, object?>("k", "ninf")),
                new Measurement<double>(1e-5, new KeyValuePair<string, object?>("k", "small")),
                new Measurement<double>(-1.5, new KeyValuePair<string, object?>("k", "neg")),
            }, description: "Values.");

            var text = Text(collector);
            Assert.Equal(
                "# HELP queue_length Queued.\n"
                + "# TYPE queue_length gauge\n"
                + "queue_length 3\n"
                + "# HELP values Values.\n"
                + "# TYPE values gauge\n"
                + "values{k=\"nan\"} NaN\n"
                + "values{k=\"pinf\"} +Inf\n"
                + "values{k=\"ninf\"} -Inf\n"
                + "values{k=\"small\"} 1E-05\n"
                + "values{k=\"neg\"} -1.5\n",
                text);
            var samples = Exposition.Parse(text);
            Assert.Equal(1e-5, samples.Value("values", ("k", "small")));
        }
    }

    [Fact]
    public void Collect_MultipleLabels_AllRenderedOnceInOneFamily()
    {
        var (meter, collector) = Pipeline();
        using (meter)
        using (collector)
        {
            var counter = meter.CreateCounter<long>("hits_total", description: "Hits.");
            counter.Add(1, new("b", "2"), new KeyValuePair<string, object?>("a", "1"));
            counter.Add(4, new("a", "x"), new KeyValuePair<string, object?>("b", "y"));

            var text = Text(collector);
            Assert.Single(text.Split('\n'), l => l.StartsWith("# TYPE hits_total", StringComparison.Ordinal));
            var samples = Exposition.Parse(text);
            Assert.Equal(1, samples.Value("hits_total", ("a", "1"), ("b", "2")));
            Assert.Equal(4, samples.Value("hits_total", ("a", "x"), ("b", "y")));
        }
    }

    [Fact]
    public void Collect_NoMeasurement_NoFamilyAtAll()
    {
        var (meter, collector) = Pipeline();
        using (meter)
        using (collector)
        {
            meter.CreateCounter<long>("never_total", description: "Never.");
            meter.CreateObservableGauge("empty", () => Array.Empty<Measurement<double>>(), description: "Empty.");
            Assert.Equal("", Text(collector));
        }
    }

    [Theory]
    [InlineData("ok_name", "ok_name")]
    [InlineData("dotted.name-x", "dotted_name_x")]
    [InlineData("9lives", "_9lives")]
    public void SanitizeName_InvalidCharacters_BecomeUnderscores(string name, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.SanitizeName(name));
}
