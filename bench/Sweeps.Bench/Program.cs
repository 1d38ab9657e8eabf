using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sweeps.Bench;
using Sweeps.Torch;
using Sweeps.Torch.Optim;

// ./sweeps.sh bench orchestration runs this through bench/run_orchestration.sh.
if (args.Length > 0 && args[0] == "orchestration")
{
    var o = ParseOptions(args.AsSpan(1));
    return await OrchestrationBench.RunAsync(o.GetValueOrDefault("trials", 400), o.GetValueOrDefault("ms", 50), o.GetValueOrDefault("slots", 8), o.GetValueOrDefault("warmup", 40));
}

// ./sweeps.sh bench loader runs this through bench/run_loader.sh.
if (args.Length > 1 && args[0] == "loader")
{
    var l = ParseOptions(args.AsSpan(2));
    return LoaderBench.Run(l.GetValueOrDefault("images", 10000), l.GetValueOrDefault("size", 64), l.GetValueOrDefault("classes", 10), l.GetValueOrDefault("batch", 64),
        l.GetValueOrDefault("threads", Environment.ProcessorCount), l.GetValueOrDefault("train-steps", 3), l.GetValueOrDefault("loader-batches", 100), args[1]);
}

// ./sweeps.sh bench qat-step runs this through bench/run_qat_step.sh.
if (args.Length > 0 && args[0] == "qat-step")
{
    var q = ParseOptions(args.AsSpan(1));
    return QatStepBench.Run(q.GetValueOrDefault("pairs", 5), q.GetValueOrDefault("warmup", 3), q.GetValueOrDefault("steps", 10), q.GetValueOrDefault("batch", 256),
        q.GetValueOrDefault("threads", Environment.ProcessorCount), q.GetValueOrDefault("bits", 4));
}

// The CR mean-teacher diagnosis of issue 17 (docs/benchmarks.md, "CR at W2A2").
if (args.Length > 0 && args[0] == "cr-diagnose")
{
    return CrDiagnosis.Run(args);
}

// The short-run diagnosis of issue 15 (docs/benchmarks.md, "Why short W4A4 runs fall behind").
if (args.Length > 0 && args[0] == "short-run")
{
    return ShortRunDiagnosis.Run(args);
}

// ./sweeps.sh bench train-step runs this (through bench/run_train_step.sh) interleaved with bench/train_step.py.
if (args.Length == 0 || args[0] != "train-step")
{
    Console.Error.WriteLine("usage: Sweeps.Bench train-step [--steps N] [--warmup W] [--threads T] [--batch B] [--channels-last 1|0] [--rss-growth]");
    Console.Error.WriteLine("       Sweeps.Bench orchestration [--trials N] [--ms M] [--slots S] [--warmup W]");
    Console.Error.WriteLine("       Sweeps.Bench loader FOLDER [--images N] [--size S] [--classes K] [--batch B] [--threads T] [--train-steps N] [--loader-batches N]");
    Console.Error.WriteLine("       Sweeps.Bench qat-step [--pairs P] [--warmup W] [--steps N] [--batch B] [--threads T] [--bits K]");
    return 2;
}

var options = ParseOptions(args.AsSpan(1));
var steps = options.GetValueOrDefault("steps", 20);
var warmup = options.GetValueOrDefault("warmup", 5);
var threads = options.GetValueOrDefault("threads", Environment.ProcessorCount);
var batch = options.GetValueOrDefault("batch", 128);
var rssGrowth = args.Contains("--rss-growth");
// The trainer's CPU default: channels-last weights and batches (--channels-last 0: NCHW, as before issue 19).
var format = options.GetValueOrDefault("channels-last", 1) != 0 ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;

Torch.SetNumThreads(threads);
using var generator = new Generator(0);
using var model = new BenchResNet20(1, 10, generator);
model.Train();
model.To(format);
using var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true));
using var x = Input(batch, generator, format);
using var y = DisposeScope.Detach(Tensor.RandInt(0, 10, [batch], generator));

void Step()
{
    using var scope = DisposeScope.Enter();
    optimizer.ZeroGrad();
    var loss = Functional.CrossEntropy(model.Forward(x), y);
    loss.Backward();
    optimizer.Step();
}

for (var i = 0; i < warmup; i++)
{
    Step();
}

var rssStart = ProcStatus("VmRSS");
var times = new double[steps];
var liveBefore = Tensor.LiveCount;
var rssMid = rssStart;
for (var i = 0; i < steps; i++)
{
    if (i == steps / 2)
    {
        rssMid = ProcStatus("VmRSS");
    }

    var t0 = Stopwatch.GetTimestamp();
    Step();
    times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    if (rssGrowth && (i + 1) % (steps >= 1000 ? 200 : 50) == 0)
    {
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"step {i + 1}: rss {ProcStatus("VmRSS"):F1} MB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F1} MB, "
            + $"gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, native tensors {Torch.LiveNativeTensors}, "
            + $"native heap held {Torch.NativeHeap.HeldBytes / 1048576.0:F1} MB, in use {Torch.NativeHeap.InUseBytes / 1048576.0:F1} MB, {times[i]:F1} ms"));
    }
}

var rssEnd = ProcStatus("VmRSS");
Array.Sort(times);
var result = new Dictionary<string, object>
{
    ["side"] = "csharp",
    ["layout"] = format == MemoryFormat.ChannelsLast ? "channels_last" : "nchw",
    ["median_step_ms"] = Math.Round(times[times.Length / 2], 3),
    ["mean_step_ms"] = Math.Round(times.Average(), 3),
    ["peak_rss_mb"] = Math.Round(ProcStatus("VmHWM"), 1),
    ["rss_start_mb"] = Math.Round(rssStart, 1),
    ["rss_mid_mb"] = Math.Round(rssMid, 1),
    ["rss_end_mb"] = Math.Round(rssEnd, 1),
    ["warmup"] = warmup,
    ["gc_gen0"] = GC.CollectionCount(0),
    ["steps"] = steps,
    ["threads"] = Torch.NumThreads,
    ["live_tensor_delta"] = Tensor.LiveCount - liveBefore,
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

// The random batch x ~ N(0, 1) [batch, 1, 28, 28] in the given memory format, owned by the caller.
static Tensor Input(int batch, Generator generator, MemoryFormat format)
{
    using var scope = DisposeScope.Enter();
    return DisposeScope.Detach(Tensor.Randn([batch, 1, 28, 28], generator).ToMemoryFormat(format));
}

static Dictionary<string, int> ParseOptions(ReadOnlySpan<string> args)
{
    var options = new Dictionary<string, int>();
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length
            && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            options[args[i][2..]] = value;
            i++;
        }
    }

    return options;
}

// Resident memory figures of this process from /proc/self/status, in MB.
static double ProcStatus(string key)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(key + ":", StringComparison.Ordinal))
        {
            var kb = long.Parse(line.AsSpan(key.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            return kb / 1024.0;
        }
    }

    return double.NaN;
}
