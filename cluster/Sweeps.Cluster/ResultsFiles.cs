using System.Globalization;
using System.Text;
using System.Text.Json;
using Sweeps.Reports;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>
/// Writes a sweep's <c>results.json</c> from a store snapshot, exactly as docs/results-format.md describes, then the
/// report generated from it (<c>report.md</c>, <c>report.html</c>, <c>results.csv</c>; <see cref="ReportGenerator"/>).
/// Each file is replaced atomically (written aside, then renamed).
/// </summary>
public static class ResultsFiles
{
    /// <summary>results.json.</summary>
    public const string JsonFileName = "results.json";

    /// <summary>results.csv.</summary>
    public const string CsvFileName = "results.csv";

    /// <summary>report.md.</summary>
    public const string ReportFileName = "report.md";

    /// <summary>report.html.</summary>
    public const string HtmlReportFileName = "report.html";

    /// <summary>Writes results.json and the report into <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    /// <exception cref="ReportException">The report cannot be generated from the results just written.</exception>
    public static void Write(string directory, SweepInfo sweep, SweepState state)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(state);
        var rows = state.InOrder.Select(Row).ToList();
        WriteAtomic(Path.Combine(directory, JsonFileName), Json(sweep, rows));
        ReportGenerator.Write(directory);
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
            new("error", t.Error), new("source", r?.Source), new("dir", "trials/" + s.Id), new("recipe", r?.Recipe is { } recipe ? new RawJson(recipe) : null),
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

    private static void WriteAtomic(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record RawJson(string Text);
}
