using System.Globalization;
using System.Text.Json;

namespace Sweeps.Reports;

/// <summary>Reads a sweep folder (docs/results-format.md). A missing or malformed results.json is a
/// <see cref="ReportException"/> naming the file, the field and what was expected; a missing or torn metrics.jsonl
/// is not an error (the trial may not have started).</summary>
internal static class ResultsReader
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static SweepResults Read(string sweepDirectory)
    {
        var directory = Path.GetFullPath(sweepDirectory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new ReportException($"sweep folder '{directory}' does not exist (expected the output folder of `sweeps run`, holding results.json)");
        }

        var path = Path.Combine(directory, "results.json");
        if (!File.Exists(path))
        {
            throw new ReportException($"{path}: not found (expected the sweep's results.json, written by `sweeps run`; see docs/results-format.md)");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ReportException($"{path}: cannot be read: {e.Message}", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new ReportException($"{path}: not valid JSON{where} (expected an object {{\"sweep\": {{...}}, \"trials\": [...]}}; see docs/results-format.md)", e);
        }

        using (document)
        {
            var root = document.RootElement;
            var reader = new FieldReader(path);
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw reader.Error("(root)", "an object {\"sweep\": {...}, \"trials\": [...]}", root);
            }

            var sweep = ReadSweep(reader, reader.Required(root, "sweep", "", JsonValueKind.Object));
            var trialsElement = reader.Required(root, "trials", "", JsonValueKind.Array);
            var trials = new List<TrialRecord>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in trialsElement.EnumerateArray())
            {
                var trial = ReadTrial(reader, element, $"trials[{index}]");
                if (!ids.Add(trial.Id))
                {
                    throw new ReportException($"{path}: trials[{index}].id: the id '{trial.Id}' appears twice (expected one object per trial)");
                }

                trials.Add(trial);
                index++;
            }

            var sweepFile = Path.Combine(directory, "sweep.yaml");
            var curves = trials.ToDictionary(t => t.Id, t => ReadCurves(directory, t), StringComparer.Ordinal);
            return new SweepResults
            {
                Directory = directory,
                Sweep = sweep,
                Trials = trials,
                SweepFile = File.Exists(sweepFile) ? File.ReadAllText(sweepFile) : null,
                Curves = curves,
            };
        }
    }

    private static SweepInfo ReadSweep(FieldReader reader, JsonElement sweep)
    {
        const string at = "sweep";
        var versions = new List<KeyValuePair<string, string>>();
        if (reader.Optional(sweep, "versions", at, JsonValueKind.Object) is { } v)
        {
            foreach (var property in v.EnumerateObject())
            {
                versions.Add(new(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText()));
            }
        }

        var devices = new List<string>();
        if (reader.Optional(sweep, "devices", at, JsonValueKind.Array) is { } d)
        {
            var i = 0;
            foreach (var device in d.EnumerateArray())
            {
                if (device.ValueKind != JsonValueKind.String)
                {
                    throw reader.Error($"{at}.devices[{i}]", "a string (e.g. \"cpu\", \"cuda:0\")", device);
                }

                devices.Add(device.GetString()!);
                i++;
            }
        }

        return new SweepInfo
        {
            Name = reader.String(sweep, "name", at)!,
            File = reader.String(sweep, "file", at, required: false),
            Dataset = reader.String(sweep, "dataset", at, required: false),
            StartedAt = reader.String(sweep, "started_at", at, required: false),
            FinishedAt = reader.String(sweep, "finished_at", at, required: false),
            Status = reader.String(sweep, "status", at, required: false),
            GitCommit = reader.String(sweep, "git_commit", at, required: false),
            Versions = versions,
            Devices = devices,
            Host = reader.String(sweep, "host", at, required: false),
        };
    }

    private static TrialRecord ReadTrial(FieldReader reader, JsonElement trial, string at)
    {
        if (trial.ValueKind != JsonValueKind.Object)
        {
            throw reader.Error(at, "a trial object", trial);
        }

        var id = reader.String(trial, "id", at)!;
        var status = reader.String(trial, "status", at)!;
        if (status is not ("pending" or "running" or "completed" or "failed" or "cancelled"))
        {
            throw new ReportException($"{reader.Path}: {at}.status: expected one of pending, running, completed, failed, cancelled, found \"{status}\"");
        }

        return new TrialRecord
        {
            Id = id,
            Method = reader.String(trial, "method", at)!,
            Model = reader.String(trial, "model", at)!,
            Dataset = reader.String(trial, "dataset", at)!,
            WBits = (int)reader.Integer(trial, "wbits", at, 1, 32)!,
            ABits = (int)reader.Integer(trial, "abits", at, 1, 32)!,
            Seed = reader.Integer(trial, "seed", at, long.MinValue, long.MaxValue)!.Value,
            Quantizer = reader.String(trial, "quantizer", at, required: false),
            EwgsDelta = reader.String(trial, "ewgs_delta", at, required: false),
            Teacher = reader.String(trial, "teacher", at, required: false),
            Status = status,
            Attempts = (int?)reader.Integer(trial, "attempts", at, 0, int.MaxValue, required: false),
            Epochs = (int?)reader.Integer(trial, "epochs", at, 0, int.MaxValue, required: false),
            EpochsPlanned = (int?)reader.Integer(trial, "epochs_planned", at, 0, int.MaxValue, required: false),
            BestTop1 = reader.Fraction(trial, "best_top1", at),
            BestEpoch = (int?)reader.Integer(trial, "best_epoch", at, 0, int.MaxValue, required: false),
            LastTop1 = reader.Fraction(trial, "last_top1", at),
            MeanLast5Top1 = reader.Fraction(trial, "mean_last5_top1", at),
            ModelSizeBits = reader.Integer(trial, "model_size_bits", at, 0, long.MaxValue, required: false),
            Device = reader.String(trial, "device", at, required: false),
            StartedAt = reader.String(trial, "started_at", at, required: false),
            FinishedAt = reader.String(trial, "finished_at", at, required: false),
            DurationS = reader.Number(trial, "duration_s", at),
            Error = reader.String(trial, "error", at, required: false),
            Dir = reader.String(trial, "dir", at, required: false),
            Source = reader.String(trial, "source", at, required: false),
            Recipe = reader.Optional(trial, "recipe", at, JsonValueKind.Object)?.Clone(),
            Raw = trial.Clone(),
        };
    }

    private static TrialCurves ReadCurves(string directory, TrialRecord trial)
    {
        var folder = Path.Combine(directory, trial.Dir ?? Path.Combine("trials", trial.Id));
        var path = Path.GetFullPath(Path.Combine(folder, "metrics.jsonl"));
        if (!File.Exists(path))
        {
            return new TrialCurves(path, false, [], 0);
        }

        var byEpoch = new SortedDictionary<int, EpochPoint>();
        var skipped = 0;
        foreach (var line in File.ReadAllLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var point = ReadPoint(document.RootElement);
                if (point is null)
                {
                    skipped++;
                }
                else
                {
                    byEpoch[point.Epoch] = point;
                }
            }
            catch (JsonException)
            {
                skipped++;
            }
        }

        return new TrialCurves(path, true, byEpoch.Values.ToList(), skipped);
    }

    private static EpochPoint? ReadPoint(JsonElement line)
    {
        if (line.ValueKind != JsonValueKind.Object || !line.TryGetProperty("epoch", out var e) || !e.TryGetInt32(out var epoch))
        {
            return null;
        }

        var terms = new List<KeyValuePair<string, double>>();
        if (line.TryGetProperty("loss_terms", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in t.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number)
                {
                    terms.Add(new(property.Name, property.Value.GetDouble()));
                }
            }
        }

        return new EpochPoint
        {
            Epoch = epoch,
            TrainLoss = NumberOrNull(line, "train_loss"),
            LossTerms = terms,
            TrainTop1 = NumberOrNull(line, "train_top1"),
            TestTop1 = NumberOrNull(line, "test_top1"),
            Seconds = NumberOrNull(line, "seconds"),
        };
    }

    private static double? NumberOrNull(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>Typed field access with errors that name the file, the field path and what was expected.</summary>
    private sealed class FieldReader(string path)
    {
        public string Path { get; } = path;

        public ReportException Error(string field, string expected, JsonElement found) =>
            new($"{Path}: {field}: expected {expected}, found {Describe(found)}");

        public JsonElement Required(JsonElement obj, string name, string at, JsonValueKind kind)
        {
            var field = Join(at, name);
            if (!obj.TryGetProperty(name, out var value))
            {
                throw new ReportException($"{Path}: {field}: missing (expected {KindName(kind)}; see docs/results-format.md)");
            }

            return value.ValueKind == kind ? value : throw Error(field, KindName(kind), value);
        }

        public JsonElement? Optional(JsonElement obj, string name, string at, JsonValueKind kind)
        {
            if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == kind ? value : throw Error(Join(at, name), KindName(kind) + " or null", value);
        }

        public string? String(JsonElement obj, string name, string at, bool required = true)
        {
            if (required)
            {
                return Required(obj, name, at, JsonValueKind.String).GetString();
            }

            return Optional(obj, name, at, JsonValueKind.String)?.GetString();
        }

        public long? Integer(JsonElement obj, string name, string at, long min, long max, bool required = true)
        {
            var value = required ? Required(obj, name, at, JsonValueKind.Number) : Optional(obj, name, at, JsonValueKind.Number);
            if (value is not { } v)
            {
                return null;
            }

            if (!v.TryGetInt64(out var n) || n < min || n > max)
            {
                var range = min == long.MinValue ? "an integer" : max == long.MaxValue ? $"an integer >= {min}" : $"an integer {min}..{max}";
                throw Error(Join(at, name), range, v);
            }

            return n;
        }

        public double? Number(JsonElement obj, string name, string at) =>
            Optional(obj, name, at, JsonValueKind.Number)?.GetDouble();

        public double? Fraction(JsonElement obj, string name, string at)
        {
            var value = Number(obj, name, at);
            if (value is { } f && (double.IsNaN(f) || f < 0 || f > 1))
            {
                throw new ReportException($"{Path}: {Join(at, name)}: expected a fraction 0..1 or null, found {f.ToString(CultureInfo.InvariantCulture)}");
            }

            return value;
        }

        private static string Join(string at, string name) => at.Length == 0 ? name : $"{at}.{name}";

        private static string KindName(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => kind.ToString(),
        };

        private static string Describe(JsonElement value)
        {
            var text = value.GetRawText();
            if (text.Length > 40)
            {
                text = text[..40] + "...";
            }

            return value.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "an array",
                JsonValueKind.Null => "null",
                _ => $"{value.ValueKind.ToString().ToLowerInvariant()} {text}",
            };
        }
    }
}
