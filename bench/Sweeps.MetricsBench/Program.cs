using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sweeps.Monitoring;

// /metrics latency benchmark (./sweeps.sh bench metrics runs it through bench/run_metrics.sh).
// The facade holds TRIALS running trials (each with its seven labels and one reported epoch) on
// nodes of 8 GPU slots; a real HttpClient GETs /metrics REQUESTS times, interleaved with GETs of
// /healthz (a trivial endpoint on the same Kestrel server: the reference). Prints p50/p99 of both,
// the process's CPU time per pair of requests (server and client), and a JSON line last.
// WARMUP pairs come first, then a pause of PAUSE ms in which the runtime's tiered compilation
// finishes optimising what the warm-up made hot (it does so on a background thread whose CPU time
// would otherwise count in the measured requests); then the CPU time of REQUESTS GETs of /metrics
// alone, less that of as many GETs of /healthz, gives the CPU time of one scrape (server and client).
// The program uses only the API that Sweeps.Monitoring has had since before the OpenTelemetry
// exporter, so bench/run_metrics.sh can build it against an older checkout (OLD_BUILD).
var options = ParseOptions(args);
var trials = options.GetValueOrDefault("trials", 500);
var requests = options.GetValueOrDefault("requests", 200);
var warmup = options.GetValueOrDefault("warmup", 200);
var pause = options.GetValueOrDefault("pause", 3000);

using var metrics = new SweepMetrics();
string[] methods = ["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"];
for (var i = 0; i < trials; i++)
{
    var method = methods[i % methods.Length];
    var bits = method == "fp" ? 32 : 2 + (i / methods.Length % 3);
    var trial = new TrialLabels("bench", i % 2 == 0 ? "resnet20" : "vgg8", "cifar10", method, bits, bits, i);
    metrics.TrialStateChanged("bench", null, "pending");
    metrics.TrialStateChanged("bench", "pending", "running");
    metrics.TrialStarted(trial);
    metrics.EpochReported(trial, 1 + (i % 30), 2.0 / (1 + i), 0.5 + (i % 50 / 100.0), 1000 + i);
    metrics.SlotStateChanged("node-" + (i / 8).ToString(CultureInfo.InvariantCulture), "cuda:" + (i % 8).ToString(CultureInfo.InvariantCulture), busy: true);
    metrics.GpuMemoryReported("node-" + (i / 8).ToString(CultureInfo.InvariantCulture), "cuda:" + (i % 8).ToString(CultureInfo.InvariantCulture), 3L << 30, 80L << 30);
}

for (var i = 0; i < trials / 2; i++)
{
    metrics.TrialFinished("bench", methods[i % methods.Length], 60 + (i * 37 % 7200), i % 10 == 0 ? "failed" : "completed");
}

await using var endpoint = await MetricsEndpoint.StartAsync(metrics, MetricsEndpointOptions.Parse("127.0.0.1:0"));
var healthz = new Uri(endpoint.MetricsUri, "/healthz");
using var http = new HttpClient();

var body = await http.GetByteArrayAsync(endpoint.MetricsUri);
var lines = body.Count(b => b == (byte)'\n');
for (var i = 0; i < warmup; i++)
{
    await http.GetByteArrayAsync(endpoint.MetricsUri);
    await http.GetByteArrayAsync(healthz);
}

await Task.Delay(pause);

var metricsMs = new double[requests];
var trivialMs = new double[requests];
var cpu0 = Environment.CpuUsage.TotalTime;
for (var i = 0; i < requests; i++)
{
    var t0 = Stopwatch.GetTimestamp();
    await http.GetByteArrayAsync(endpoint.MetricsUri);
    metricsMs[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    t0 = Stopwatch.GetTimestamp();
    await http.GetByteArrayAsync(healthz);
    trivialMs[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
}

var cpuPerPair = (Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds / requests;
var cpuMetrics = await CpuPerGetAsync(endpoint.MetricsUri);
var cpuHealthz = await CpuPerGetAsync(healthz);
var cpuPerScrape = cpuMetrics - cpuHealthz;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"metrics: {trials} running trials, {lines} lines, {body.Length / 1024.0:F0} KiB per scrape; {requests} GETs after {warmup} warm-up pairs and {pause} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GET /metrics: p50 {Percentile(metricsMs, 0.5):F2} ms, p99 {Percentile(metricsMs, 0.99):F2} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GET /healthz (reference, same server): p50 {Percentile(trivialMs, 0.5):F2} ms, p99 {Percentile(trivialMs, 0.99):F2} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"process CPU per /metrics + /healthz pair (server and client): {cpuPerPair:F2} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"process CPU per scrape (GET /metrics less GET /healthz, server and client): {cpuPerScrape:F2} ms"));
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["trials"] = trials,
    ["requests"] = requests,
    ["lines"] = lines,
    ["bytes"] = body.Length,
    ["metrics_p50_ms"] = Math.Round(Percentile(metricsMs, 0.5), 3),
    ["metrics_p99_ms"] = Math.Round(Percentile(metricsMs, 0.99), 3),
    ["healthz_p50_ms"] = Math.Round(Percentile(trivialMs, 0.5), 3),
    ["healthz_p99_ms"] = Math.Round(Percentile(trivialMs, 0.99), 3),
    ["cpu_per_pair_ms"] = Math.Round(cpuPerPair, 3),
    ["cpu_per_scrape_ms"] = Math.Round(cpuPerScrape, 3),
}));
return 0;

// Process CPU time per GET of uri over REQUESTS GETs.
async Task<double> CpuPerGetAsync(Uri uri)
{
    var start = Environment.CpuUsage.TotalTime;
    for (var i = 0; i < requests; i++)
    {
        await http.GetByteArrayAsync(uri);
    }

    return (Environment.CpuUsage.TotalTime - start).TotalMilliseconds / requests;
}

// Nearest-rank percentile.
static double Percentile(double[] values, double p)
{
    var sorted = values.Order().ToArray();
    var rank = (int)Math.Ceiling(p * sorted.Length);
    return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
}

static Dictionary<string, int> ParseOptions(string[] args)
{
    var options = new Dictionary<string, int>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)
            || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ArgumentException($"expected --trials N, --requests N, --warmup N or --pause MS with N, MS >= 1, not '{args[i]} {args[i + 1]}'");
        }

        options[args[i][2..]] = value;
    }

    return options;
}
