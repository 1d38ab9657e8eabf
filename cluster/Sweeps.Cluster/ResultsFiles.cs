using System.Globalization;
using System.Text;
using System.Text.Json;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>
/// Writes a sweep's <c>results.json</c>, <c>results.csv</c> and (until the report command replaces it) a plain
/// <c>report.md</c> from a store snapshot, exactly as docs/results-format.md describes. Each file is replaced
/// atomically (written aside, then renamed).
/// </summary>
public static class ResultsFiles
{
    /// <summary>results.json.</summary>
    public const string JsonFileName = "results.json";

    /// <summary>results.csv.</summary>
    public const string CsvFileName = "results.csv";

    /// <summary>report.md.</summary>
    public const string ReportFileName = "report.md";

    private static readonly string[] Columns =
    [
        "id", "method", "model", "dataset", "wbits", "abits", "seed", "quantizer", "ewgs_delta", "teacher", "status", "attempts", "epochs",
        "epochs_planned", "best_top1", "best_epoch", "last_top1", "mean_last5_top1", "model_size_bits", "device", "started_at", "finished_at",
        "duration_s", "error", "dir",
    ];

    /// <summary>Writes the three files into <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static void Write(string directory, SweepInfo sweep, SweepState state)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(state);
        var rows = state.InOrder.Select(Row).ToList();
        WriteAtomic(Path.Combine(directory, JsonFileName), Json(sweep, rows));
        WriteAtomic(Path.Combine(directory, CsvFileName), Csv(rows));
        WriteAtomic(Path.Combine(directory, ReportFileName), Report(sweep, rows));
    }

    /// <summary>One trial's fields in results.json's order (the recipe as raw JSON text under <c>recipe</c>).</summary>
    internal static List<KeyValuePair<string, object?>> Row(TrialState t)
    {
        var s = t.Spec;
        var r = t.Result;
        var history = t.Top1ByEpoch;
        double? best = r?.BestTop1 ?? (history.Count > 0 ? history.Values.Max() : null);
        int? bestEpoch = r?.BestEpoch ?? (history.Count > 0 ? history.First(kv => kv.Value == history.Values.Max()).Key : null);
        double? last = r?.LastTop1 ?? (history.Count > 0 ? history[history.Keys.Max()] : null);
        var last5 = history.OrderByDescending(kv => kv.Key).Take(5).Select(kv => kv.Value).ToList();
        double? mean5 = r?.MeanLast5Top1 ?? (last5.Count > 0 ? last5.Average() : null);
        var seconds = t.Seconds + (t.Status == TrialStatus.Running && t.AttemptStartedAt is { } a && t.LastEventAt is { } l ? (l - a).TotalSeconds : 0);
        var ewgs = s.IsFullPrecision ? "n/a" : r?.EwgsDelta;
        return
        [
            new("id", s.Id), new("method", s.Method), new("model", s.Model), new("dataset", s.Dataset),
            new("wbits", s.WeightBits), new("abits", s.ActivationBits), new("seed", s.Seed),
            new("quantizer", s.Quantizer), new("ewgs_delta", ewgs), new("teacher", s.Teacher),
            new("status", t.Status.ToString().ToLowerInvariant()), new("attempts", t.Attempts),
            new("epochs", t.EpochsCompleted), new("epochs_planned", s.Epochs),
            new("best_top1", best), new("best_epoch", bestEpoch), new("last_top1", last), new("mean_last5_top1", mean5),
            new("model_size_bits", r?.ModelSizeBits), new("device", t.Device),
            new("started_at", t.StartedAt), new("finished_at", t.FinishedAt), new("duration_s", t.Attempts == 0 ? null : Math.Round(seconds, 3)),
            new("error", t.Error), new("dir", "trials/" + s.Id), new("recipe", r?.Recipe is { } recipe ? new RawJson(recipe) : null),
        ];
    }

    private static string Json(SweepInfo sweep, List<List<KeyValuePair<string, object?>>> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("sweep");
            Write(w, "name", sweep.Name);
            Write(w, "file", sweep.File);
            Write(w, "dataset", sweep.Dataset);
            Write(w, "started_at", sweep.StartedAt);
            Write(w, "finished_at", sweep.FinishedAt);
            Write(w, "status", sweep.Status);
            Write(w, "git_commit", sweep.GitCommit);
            w.WriteStartObject("versions");
            foreach (var (k, v) in sweep.Versions)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            w.WriteStartArray("devices");
            foreach (var d in sweep.Devices)
            {
                w.WriteStringValue(d);
            }

            w.WriteEndArray();
            Write(w, "host", sweep.Host);
            w.WriteEndObject();
            w.WriteStartArray("trials");
            foreach (var row in rows)
            {
                w.WriteStartObject();
                foreach (var (k, v) in row)
                {
                    Write(w, k, v);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void Write(Utf8JsonWriter w, string name, object? value)
    {
        w.WritePropertyName(name);
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            case DateTimeOffset t: w.WriteStringValue(Timestamp(t)); break;
            case RawJson raw:
                using (var doc = JsonDocument.Parse(raw.Text))
                {
                    doc.RootElement.WriteTo(w);
                }

                break;
            default: throw new ArgumentException($"no JSON form for {value.GetType()}", nameof(value));
        }
    }

    private static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Csv(List<List<KeyValuePair<string, object?>>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append('\n');
        foreach (var row in rows)
        {
            var values = row.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            sb.AppendJoin(',', Columns.Select(c => Field(values[c]))).Append('\n');
        }

        return sb.ToString();
    }

    private static string Field(object? value)
    {
        var text = value switch
        {
            null => string.Empty,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            DateTimeOffset t => Timestamp(t),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>The plain comparison table (to be replaced by the report command's report).</summary>
    private static string Report(SweepInfo sweep, List<List<KeyValuePair<string, object?>>> rows)
    {
        static string Pct(object? v) => v is double d ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) : "-";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Sweep {sweep.Name} ({sweep.Dataset}): {sweep.Status}\n\n");
        sb.Append("| trial | method | bits | status | best top-1 % | last top-1 % | mean last 5 % | size (bits) |\n");
        sb.Append("|---|---|---|---|---:|---:|---:|---:|\n");
        foreach (var row in rows)
        {
            var v = row.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var bits = (int)v["wbits"]! == 32 ? "FP" : $"W{v["wbits"]}A{v["abits"]}";
            sb.Append(CultureInfo.InvariantCulture,
                $"| {v["id"]} | {v["method"]} | {bits} | {v["status"]} | {Pct(v["best_top1"])} | {Pct(v["last_top1"])} | {Pct(v["mean_last5_top1"])} | {v["model_size_bits"] ?? "-"} |\n");
        }

        return sb.ToString();
    }

    private static void WriteAtomic(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record RawJson(string Text);
}
