using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sweeps.Reports.Tests;

/// <summary>
/// Writes a sweep output folder as docs/results-format.md describes it: results.json, sweep.yaml and
/// trials/&lt;id&gt;/metrics.jsonl. The default fixture has two model x dataset groups:
/// resnet20 x fashion-mnist with 3 seeds (fp, qat, sqakd, mec-quant, fpq, cr at W2A2 and W4A4; one failed trial, one
/// running), and vgg8 x fashion-mnist with 1 seed (fp, qat, sqakd at W4A4; a pending and a cancelled trial at W2A2).
/// Each completed trial's best/last/mean5 are computed from the curve written to its metrics.jsonl.
/// </summary>
internal sealed class FixtureSweep : IDisposable
{
    public const string FailedError = "loss is NaN at epoch 1 step 3 (term ce)";
    public const string CancelledError = "cancelled by the user";
    public const int Epochs = 6;

    public const string SweepYaml = """
        # Fixture sweep: two models, several methods, 1 and 3 seeds.
        name: fixture
        dataset: fashion-mnist
        models: [resnet20, vgg8]
        methods: [fp, qat, sqakd, mec-quant, fpq, cr]
        bits: [W2A2, W4A4]
        seeds: [0, 1, 2]
        epochs: {teacher: 6, student: 6}

        """;

    public FixtureSweep()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("sweeps-report-").FullName;
    }

    public string Directory { get; }

    public string ResultsJson => Path.Combine(Directory, "results.json");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>The final test top-1 of the default fixture's trials (before the curve shape).</summary>
    public static double FinalAccuracy(string model, string method, int wbits, long seed)
    {
        // Plain QAT's per-seed noise; SQAKD at W2A2 is QAT + 2.0 +- 0.1 pp (beyond noise), FPQ at W2A2 is QAT plus
        // differences of both signs (within noise).
        double[] qatNoise = [0.004, -0.006, 0.002];
        var qat = (model == "vgg8" ? 0.80 : 0.84) + (wbits == 2 ? -0.05 : 0) + qatNoise[seed];
        return method switch
        {
            "fp" => (model == "vgg8" ? 0.88 : 0.91) + new[] { 0.001, -0.002, 0.0005 }[seed],
            "qat" => qat,
            "sqakd" => qat + (wbits == 2 ? new[] { 0.020, 0.021, 0.019 }[seed] : new[] { 0.003, 0.006, 0.001 }[seed]),
            "fpq" => qat + (wbits == 2 ? new[] { 0.010, -0.012, 0.003 }[seed] : new[] { -0.004, 0.001, -0.002 }[seed]),
            "mec-quant" => qat + new[] { 0.005, 0.002, 0.007 }[seed],
            "cr" => qat + new[] { -0.003, 0.004, 0.0 }[seed],
            _ => throw new ArgumentException(method),
        };
    }

    /// <summary>Test top-1 after each epoch 1..epochs for a trial ending at <paramref name="final"/>: rising, with a
    /// small dip at epoch epochs - 1 so that best, last and mean5 all differ.</summary>
    public static double[] Curve(double final, int epochs)
    {
        var curve = new double[epochs];
        for (var e = 1; e <= epochs; e++)
        {
            curve[e - 1] = final - 0.03 * (epochs - e) * (epochs - e) / epochs;
        }

        if (epochs >= 2)
        {
            curve[epochs - 2] = final + 0.004;
        }

        return curve;
    }

    /// <summary>Writes the default fixture.</summary>
    public FixtureSweep WriteDefault()
    {
        var trials = new JsonArray();
        foreach (var (model, seeds, methods, bits) in new[]
                 {
                     ("resnet20", new long[] { 0, 1, 2 }, new[] { "qat", "sqakd", "mec-quant", "fpq", "cr" }, new[] { 2, 4 }),
                     ("vgg8", new long[] { 0 }, new[] { "qat", "sqakd" }, new[] { 4 }),
                 })
        {
            foreach (var seed in seeds)
            {
                trials.Add(Trial(model, "fp", 32, seed, "completed"));
            }

            foreach (var method in methods)
            {
                foreach (var w in bits)
                {
                    foreach (var seed in seeds)
                    {
                        var status = (model, method, w, seed) switch
                        {
                            ("resnet20", "cr", 4, 2) => "failed",
                            ("resnet20", "mec-quant", 4, 1) => "running",
                            _ => "completed",
                        };
                        trials.Add(Trial(model, method, w, seed, status));
                    }
                }
            }
        }

        trials.Add(Trial("vgg8", "qat", 2, 0, "pending"));
        trials.Add(Trial("vgg8", "sqakd", 2, 0, "cancelled"));
        WriteResults(Sweep(), trials);
        File.WriteAllText(Path.Combine(Directory, "sweep.yaml"), SweepYaml);
        return this;
    }

    public static JsonObject Sweep() => new()
    {
        ["name"] = "fixture",
        ["file"] = "sweeps/fixture.yaml",
        ["dataset"] = "fashion-mnist",
        ["started_at"] = "2026-11-22T10:00:00Z",
        ["finished_at"] = "2026-11-22T10:08:00Z",
        ["status"] = "completed",
        ["git_commit"] = "0123456789abcdef0123456789abcdef01234567",
        ["versions"] = new JsonObject { ["sweeps"] = "0.1.0", ["libtorch"] = "1.13.1", ["dotnet"] = "10.0.1" },
        ["devices"] = new JsonArray("cpu", "cuda:0"),
        ["host"] = "node-1",
    };

    public void WriteResults(JsonObject sweep, JsonArray trials) =>
        File.WriteAllText(ResultsJson, new JsonObject { ["sweep"] = sweep, ["trials"] = trials }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>One trial object; writes its metrics.jsonl (all epochs when completed, one when running, none otherwise).</summary>
    public JsonObject Trial(string model, string method, int wbits, long seed, string status)
    {
        var fp = method == "fp";
        var bits = fp ? "" : $"-W{wbits}A{wbits}";
        var id = $"{model}-fashion-mnist-{method}{bits}-s{seed}";
        var final = FinalAccuracy(model, method, wbits, seed);
        var curve = Curve(final, Epochs);
        var done = status switch { "completed" => Epochs, "running" => 1, _ => 0 };
        var recorded = curve.Take(done).ToArray();
        var dir = $"trials/{id}";
        if (done > 0)
        {
            var folder = Path.Combine(Directory, dir);
            System.IO.Directory.CreateDirectory(folder);
            var lines = recorded.Select((acc, i) => MetricsLine(method, i + 1, acc)).ToList();
            File.WriteAllLines(Path.Combine(folder, "metrics.jsonl"), lines);
        }

        var sizeBits = fp ? 270000L * 32 : 270000L * wbits + 3000 * 8;
        var trial = new JsonObject
        {
            ["id"] = id,
            ["method"] = method,
            ["model"] = model,
            ["dataset"] = "fashion-mnist",
            ["wbits"] = fp ? 32 : wbits,
            ["abits"] = fp ? 32 : wbits,
            ["seed"] = seed,
            ["quantizer"] = fp ? null : "ewgs",
            ["ewgs_delta"] = fp ? "n/a" : "hutchinson",
            ["teacher"] = fp ? null : $"{model}-fashion-mnist-fp-s{seed}",
            ["status"] = status,
            ["attempts"] = 1,
            ["epochs"] = done,
            ["epochs_planned"] = Epochs,
            ["best_top1"] = done == 0 ? null : recorded.Max(),
            ["best_epoch"] = done == 0 ? null : Array.IndexOf(recorded, recorded.Max()) + 1,
            ["last_top1"] = done == 0 ? null : recorded[^1],
            ["mean_last5_top1"] = done == 0 ? null : recorded.TakeLast(5).Average(),
            ["model_size_bits"] = sizeBits,
            ["device"] = status == "pending" ? null : "cpu",
            ["started_at"] = status == "pending" ? null : "2026-11-22T10:00:00Z",
            ["finished_at"] = status is "completed" or "failed" or "cancelled" ? "2026-11-22T10:01:00Z" : null,
            ["duration_s"] = status == "pending" ? null : 30.5 + seed,
            ["error"] = status switch { "failed" => FailedError, "cancelled" => CancelledError, _ => null },
            ["dir"] = dir,
            ["recipe"] = status == "completed" ? Recipe(method) : null,
        };
        return trial;
    }

    public static JsonObject Recipe(string method) => method == "fp"
        ? new JsonObject { ["optimizer"] = "sgd", ["learning_rate"] = 0.05, ["weight_decay"] = 0.0005, ["nesterov"] = true, ["batch_size"] = 256 }
        : new JsonObject { ["optimizer"] = "adam", ["learning_rate"] = 0.001, ["weight_decay"] = 0.0001, ["quantizer_learning_rate"] = 1e-5, ["batch_size"] = 256 };

    private static string MetricsLine(string method, int epoch, double testTop1)
    {
        var terms = method switch
        {
            "sqakd" => new JsonObject { ["kd"] = 1.0 / epoch },
            "mec-quant" => new JsonObject { ["ce"] = 1.0 / epoch, ["mec"] = -0.1 / epoch },
            "fpq" => new JsonObject { ["ce"] = 1.0 / epoch, ["csd"] = 0.2 / epoch },
            "cr" => new JsonObject { ["ce"] = 1.0 / epoch, ["consistency"] = 0.05 * epoch },
            _ => new JsonObject { ["ce"] = 1.0 / epoch },
        };
        var total = terms.Sum(t => t.Value!.GetValue<double>());
        var line = new JsonObject
        {
            ["epoch"] = epoch,
            ["epochs"] = Epochs,
            ["train_loss"] = total,
            ["loss_terms"] = terms,
            ["train_top1"] = method == "sqakd" ? null : Math.Min(1, testTop1 + 0.01),
            ["test_top1"] = testTop1,
            ["test_loss"] = 0.5,
            ["learning_rates"] = new JsonObject { ["weights"] = 0.001 },
            ["quantizer_statistics"] = new JsonObject(),
            ["seconds"] = 5.0,
            ["samples_per_second"] = 1000.0,
        };
        return line.ToJsonString();
    }

    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
