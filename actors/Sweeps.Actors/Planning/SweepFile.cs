using System.Globalization;
using System.Text.RegularExpressions;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sweeps.Actors.Planning;

/// <summary>
/// Reads and validates sweep files (YAML). Keys:
/// <c>name</c>, <c>dataset</c>, <c>data_dir</c>, <c>models</c>, <c>methods</c>, <c>bits</c>, <c>seeds</c>,
/// <c>epochs</c> (<c>{teacher: N, student: M}</c> or one number for both), <c>limit</c> (the same two forms),
/// <c>test_limit</c>,
/// <c>quantizer</c>, <c>devices</c>, <c>trials_per_device</c>, <c>teachers</c> (<c>{model: checkpoint.pt}</c>), <c>teacher_cache</c> (a folder, or <c>off</c>), and for
/// image folders (<c>dataset: imagefolder</c> or <c>tiny-imagenet</c>, which need <c>data_dir</c>) <c>image_size</c> and
/// <c>skip_bad_images</c>. Methods, models and datasets are checked against their registries, so a newly registered
/// method is accepted without changes here. Every error is a <see cref="SweepFileException"/> naming the file, the line
/// and column, the field and what was expected (a YAML syntax error: the file, line and column and what the YAML parser
/// expected). Relative paths (<c>data_dir</c>, <c>teachers</c>, <c>teacher_cache</c>) are resolved against the current directory.
/// </summary>
public static partial class SweepFile
{
    /// <summary>The keys a sweep file may have, in documentation order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["name", "dataset", "data_dir", "image_size", "skip_bad_images", "models", "methods", "bits", "seeds", "epochs", "limit", "test_limit", "quantizer", "devices", "trials_per_device", "teachers", "teacher_cache"];

    /// <summary>Hidden key for tests and benchmarks: <c>_sleep_trials: {count: N, ms: M[, stop_ms: S]}</c> adds N trials
    /// that only sleep (and, once cancelled, take S ms to stop).</summary>
    internal const string SleepTrialsKey = "_sleep_trials";

    private static readonly string[] Quantizers = ["ewgs", "lsq", "pact"];

    /// <summary>Reads and validates the file at <paramref name="path"/> (named in errors as given).</summary>
    /// <exception cref="SweepFileException">The file is missing, not YAML, or a field is invalid.</exception>
    public static SweepDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SweepFileException(path, 0, 0, null, $"not found ({Path.GetFullPath(path)})");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates sweep-file text; <paramref name="fileName"/> is used in errors.</summary>
    /// <exception cref="SweepFileException">The text is not YAML or a field is invalid.</exception>
    public static SweepDefinition Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var root = YamlSyntax.Load(text, fileName);
        if (root is not YamlMappingNode mapping)
        {
            throw new SweepFileException(fileName, 1, 1, null, "expected a mapping of keys (name:, dataset:, models:, ...)");
        }

        return new Reader(fileName, mapping).Read();
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();

    private sealed class Reader(string file, YamlMappingNode root)
    {
        private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);

        public SweepDefinition Read()
        {
            foreach (var (keyNode, value) in root.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (!Keys.Contains(key) && key != SleepTrialsKey)
                {
                    throw Error(keyNode, key, $"unknown key; valid keys: {string.Join(", ", Keys)}");
                }

                if (!_values.TryAdd(key, value))
                {
                    throw Error(keyNode, key, "appears twice");
                }
            }

            var name = Scalar("name", required: true)!;
            if (!NamePattern().IsMatch(name))
            {
                throw Error(_values["name"], "name", $"'{name}' may hold only letters, digits, '.', '_' and '-' (it names the output folder)");
            }

            var dataset = Scalar("dataset", required: true)!;
            if (!Datasets.Names.Contains(dataset))
            {
                throw Error(_values["dataset"], "dataset", $"unknown dataset '{dataset}'; known datasets: {string.Join(", ", Datasets.Names)}");
            }

            var dataDir = Scalar("data_dir", required: false);
            CheckDataDirectory(dataset, dataDir);
            // A side above 1024 pixels would hold gigabytes per batch of 256 (1024 x 1024 x 3 floats are 12 MB an image).
            int? imageSize = _values.TryGetValue("image_size", out var sizeNode) ? (int)WholeNumber(sizeNode, "image_size", 1, 1024) : null;
            var skipBadImages = Boolean("skip_bad_images");
            if (!Datasets.ImageFolderNames.Contains(dataset))
            {
                foreach (var key in new[] { "image_size", "skip_bad_images" }.Where(_values.ContainsKey))
                {
                    throw Error(_values[key], key, $"applies only to image-folder datasets ({string.Join(", ", Datasets.ImageFolderNames)}), not to {dataset}");
                }
            }

            var methods = List("methods", MethodRegistry.Names, "method", required: !_values.ContainsKey(SleepTrialsKey));
            var models = List("models", ModelRegistry.Names, "model", required: methods.Count > 0);
            var sleep = SleepTrials();
            if (methods.Count == 0 && sleep.Count == 0)
            {
                throw Error(_values.GetValueOrDefault("methods") ?? root, "methods", $"the grid is empty: list at least one method ({string.Join(", ", MethodRegistry.Names)})");
            }

            if (methods.Count > 0 && models.Count == 0)
            {
                throw Error(_values.GetValueOrDefault("models") ?? root, "models", $"the grid is empty: list at least one model ({string.Join(", ", ModelRegistry.Names)})");
            }

            var quantized = methods.Any(m => SweepPlanner.IsQuantized(m));
            var bits = Bits(quantized);
            var seeds = Seeds();
            var (teacherEpochs, studentEpochs) = Epochs(methods.Count > 0);
            var limit = PerRole("limit");
            var quantizer = Scalar("quantizer", required: false) ?? "ewgs";
            if (!Quantizers.Contains(quantizer))
            {
                throw Error(_values["quantizer"], "quantizer", $"'{quantizer}' is not a quantizer; expected ewgs, lsq or pact");
            }

            return new SweepDefinition
            {
                Name = name,
                Dataset = dataset,
                DataDirectory = dataDir,
                ImageSize = imageSize,
                SkipBadImages = skipBadImages,
                Models = models,
                Methods = methods,
                Bits = bits,
                Seeds = seeds,
                TeacherEpochs = teacherEpochs,
                StudentEpochs = studentEpochs,
                Limit = limit?.Teacher,
                StudentLimit = limit is { } l && l.Student != l.Teacher ? l.Student : null,
                TestLimit = PositiveInt("test_limit"),
                Quantizer = quantizer,
                Devices = Devices(),
                Teachers = Teachers(models),
                TeacherCache = TeacherCacheFolder(),
                TrialsPerDevice = PositiveInt("trials_per_device") ?? 1,
                SleepTrials = sleep.Count,
                SleepMilliseconds = sleep.Milliseconds,
                SleepStopMilliseconds = sleep.StopMilliseconds,
            };
        }

        private void CheckDataDirectory(string dataset, string? dataDir)
        {
            if (dataDir is not null)
            {
                if (!Directory.Exists(dataDir))
                {
                    throw Error(_values["data_dir"], "data_dir", $"the data directory '{dataDir}' does not exist");
                }

                return;
            }

            var fallback = dataset switch
            {
                "fashion-mnist" => IdxReader.DefaultFashionMnistDirectory,
                "mnist" => IdxReader.DefaultMnistDirectory,
                _ => null,
            };
            if (Datasets.ImageFolderNames.Contains(dataset))
            {
                throw Error(_values["dataset"], "data_dir", $"{dataset} needs data_dir: the folder holding train/ and val/ (see docs/own-data.md)");
            }

            if (dataset is "cifar10" or "cifar100")
            {
                throw Error(_values["dataset"], "data_dir", $"{dataset} needs data_dir: the folder holding its binary files (data_batch_1.bin ... or train.bin/test.bin)");
            }

            if (fallback is not null && !Directory.Exists(fallback))
            {
                throw Error(_values["dataset"], "data_dir", $"the default data directory of {dataset}, '{fallback}', does not exist (install Debian's dataset-{dataset} or set data_dir:)");
            }
        }

        private string? Scalar(string key, bool required)
        {
            if (!_values.TryGetValue(key, out var node))
            {
                return required ? throw Error(root, key, "is required") : null;
            }

            if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                throw Error(node, key, "expected a single value");
            }

            return scalar.Value.Trim();
        }

        private int? PositiveInt(string key) =>
            _values.TryGetValue(key, out var node) ? (int)WholeNumber(node, key, 1, int.MaxValue) : null;

        /// <summary>A whole number in [min, max]; the error says which of not-a-value, not-whole, too small, too large.</summary>
        private long WholeNumber(YamlNode node, string field, long min, long max)
        {
            if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                throw Error(node, field, $"expected a whole number, found {Describe(node)}");
            }

            var text = scalar.Value.Trim();
            var range = max == int.MaxValue || max == long.MaxValue ? $"at least {min}" : $"{min}..{max}";
            if (!System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw Error(node, field, $"'{text}' is not a whole number (expected a whole number, {range})");
            }

            if (n < min)
            {
                throw Error(node, field, $"'{text}' is too small: expected a whole number, {range}");
            }

            return n <= max
                ? (long)n
                : throw Error(node, field, string.Create(CultureInfo.InvariantCulture, $"'{text}' is too large: at most {max}"));
        }

        private bool Boolean(string key) => Scalar(key, required: false) switch
        {
            null => false,
            "true" or "True" or "yes" => true,
            "false" or "False" or "no" => false,
            var text => throw Error(_values[key], key, $"'{text}' is not true or false"),
        };

        private static string Describe(YamlNode node) => node switch
        {
            YamlSequenceNode => "a list",
            YamlMappingNode => "a mapping",
            YamlScalarNode { Value: { } v } when !string.IsNullOrWhiteSpace(v) => $"'{v.Trim()}'",
            _ => "nothing",
        };

        private List<(string Value, YamlNode Node)> Sequence(string key, bool required)
        {
            if (!_values.TryGetValue(key, out var node))
            {
                return required ? throw Error(root, key, "is required (a list, e.g. [a, b])") : [];
            }

            if (node is YamlScalarNode single && !string.IsNullOrWhiteSpace(single.Value))
            {
                return [(single.Value.Trim(), single)];
            }

            if (node is not YamlSequenceNode sequence)
            {
                throw Error(node, key, "expected a list, e.g. [a, b]");
            }

            var items = new List<(string, YamlNode)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in sequence.Children)
            {
                if (item is not YamlScalarNode s || string.IsNullOrWhiteSpace(s.Value))
                {
                    throw Error(item, key, "expected a list of single values");
                }

                if (!seen.Add(s.Value.Trim()))
                {
                    throw Error(item, key, $"'{s.Value}' is listed twice");
                }

                items.Add((s.Value.Trim(), s));
            }

            return items;
        }

        private List<string> List(string key, IReadOnlyList<string> known, string what, bool required)
        {
            var items = Sequence(key, required);
            foreach (var (value, node) in items)
            {
                if (!known.Contains(value))
                {
                    throw Error(node, key, $"unknown {what} '{value}'; known {what}s: {string.Join(", ", known)}");
                }
            }

            return items.Select(i => i.Value).ToList();
        }

        private List<string> Bits(bool required)
        {
            var items = Sequence("bits", required);
            var result = new List<string>();
            foreach (var (value, node) in items)
            {
                try
                {
                    var bits = BitWidths.Parse(value);
                    if (bits.IsFullPrecision)
                    {
                        throw new FormatException($"'{value}' is full precision: the fp method is the full-precision baseline; list quantized bit-widths (1..8 bits each) here");
                    }

                    result.Add(bits.ToString());
                }
                catch (FormatException ex)
                {
                    throw Error(node, "bits", ex.Message);
                }
            }

            if (required && result.Count == 0)
            {
                throw Error(_values.GetValueOrDefault("bits") ?? root, "bits", "the grid is empty: list at least one bit-width such as W4A4");
            }

            return result;
        }

        private List<long> Seeds()
        {
            if (!_values.ContainsKey("seeds"))
            {
                return [0];
            }

            var seeds = new List<long>();
            foreach (var (value, node) in Sequence("seeds", required: true))
            {
                seeds.Add(WholeNumber(node, "seeds", 0, long.MaxValue));
            }

            return seeds.Count > 0 ? seeds : throw Error(_values["seeds"], "seeds", "the grid is empty: list at least one seed");
        }

        private (int Teacher, int Student) Epochs(bool required)
        {
            if (!_values.ContainsKey("epochs"))
            {
                return required ? throw Error(root, "epochs", "is required: {teacher: N, student: M} or one number for both") : (1, 1);
            }

            return PerRole("epochs")!.Value;
        }

        /// <summary><c>key: N</c> (both roles) or <c>key: {teacher: N, student: M}</c>; null when absent.</summary>
        private (int Teacher, int Student)? PerRole(string field)
        {
            if (!_values.TryGetValue(field, out var node))
            {
                return null;
            }

            if (node is YamlScalarNode)
            {
                var both = PositiveInt(field)!.Value;
                return (both, both);
            }

            if (node is not YamlMappingNode map)
            {
                throw Error(node, field, "expected {teacher: N, student: M} or one number");
            }

            int? teacher = null;
            int? student = null;
            foreach (var (k, v) in map.Children)
            {
                var key = (k as YamlScalarNode)?.Value;
                if (key is not ("teacher" or "student"))
                {
                    throw Error(k, field, $"unknown key '{key}'; valid keys: teacher, student");
                }

                var n = (int)WholeNumber(v, field + "." + key, 1, int.MaxValue);
                if (key == "teacher")
                {
                    teacher = n;
                }
                else
                {
                    student = n;
                }
            }

            return (teacher ?? throw Error(node, field + ".teacher", "is required"), student ?? throw Error(node, field + ".student", "is required"));
        }

        private List<string>? Devices()
        {
            if (!_values.ContainsKey("devices"))
            {
                return null;
            }

            var devices = new List<string>();
            foreach (var (value, node) in Sequence("devices", required: true))
            {
                try
                {
                    devices.Add(Sweeps.Torch.Device.Parse(value).ToString());
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    throw Error(node, "devices", $"'{value}' is not a device; expected cpu or cuda:N");
                }
            }

            return devices.Count > 0 ? devices : throw Error(_values["devices"], "devices", "expected at least one device (or leave the key out for every local device)");
        }

        /// <summary><c>teacher_cache: FOLDER</c> (a full path; created when the first teacher is published) or <c>off</c>;
        /// null when absent.</summary>
        private string? TeacherCacheFolder()
        {
            var value = Scalar("teacher_cache", required: false);
            if (value is null || string.Equals(value, Sweeps.Training.Teachers.TeacherCache.Off, StringComparison.OrdinalIgnoreCase))
            {
                return value is null ? null : Sweeps.Training.Teachers.TeacherCache.Off;
            }

            var path = Path.GetFullPath(value);
            if (File.Exists(path))
            {
                throw Error(_values["teacher_cache"], "teacher_cache", $"'{value}' is a file; expected a folder for the teacher cache, or off ({path})");
            }

            return path;
        }

        /// <summary><c>teachers: {model: checkpoint.pt}</c>: each model must be one of <c>models:</c>, each file must exist.</summary>
        private Dictionary<string, string> Teachers(List<string> models)
        {
            var teachers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!_values.TryGetValue("teachers", out var node))
            {
                return teachers;
            }

            if (node is not YamlMappingNode map)
            {
                throw Error(node, "teachers", $"expected a mapping of model to checkpoint file, e.g. {{{models.FirstOrDefault() ?? "resnet20"}: path/to/model.pt}}, found {Describe(node)}");
            }

            foreach (var (k, v) in map.Children)
            {
                var model = (k as YamlScalarNode)?.Value?.Trim() ?? string.Empty;
                if (!models.Contains(model))
                {
                    throw Error(k, "teachers", models.Count == 0
                        ? $"'{model}' is not a model of this sweep: models: lists none"
                        : $"'{model}' is not a model of this sweep; models: lists {string.Join(", ", models)}");
                }

                if (v is not YamlScalarNode { Value: { } value } || string.IsNullOrWhiteSpace(value))
                {
                    throw Error(v, $"teachers.{model}", $"expected the path of a state-dict file (torch.save of model.state_dict()), found {Describe(v)}");
                }

                var path = Path.GetFullPath(value.Trim());
                if (Directory.Exists(path))
                {
                    throw Error(v, $"teachers.{model}", $"'{value.Trim()}' is a folder; expected a state-dict file such as model.pt ({path})");
                }

                if (!File.Exists(path))
                {
                    throw Error(v, $"teachers.{model}", $"the checkpoint '{value.Trim()}' does not exist ({path})");
                }

                teachers[model] = path;
            }

            return teachers;
        }

        private (int Count, int Milliseconds, int StopMilliseconds) SleepTrials()
        {
            if (!_values.TryGetValue(SleepTrialsKey, out var node))
            {
                return (0, 0, 0);
            }

            if (node is not YamlMappingNode map)
            {
                throw Error(node, SleepTrialsKey, "expected {count: N, ms: M}");
            }

            var values = map.Children.ToDictionary(c => (c.Key as YamlScalarNode)?.Value ?? string.Empty, c => (c.Value as YamlScalarNode)?.Value, StringComparer.Ordinal);
            var stop = values.GetValueOrDefault("stop_ms") ?? "0";
            return int.TryParse(values.GetValueOrDefault("count"), CultureInfo.InvariantCulture, out var count) && count >= 0
                && int.TryParse(values.GetValueOrDefault("ms"), CultureInfo.InvariantCulture, out var ms) && ms >= 0
                && int.TryParse(stop, CultureInfo.InvariantCulture, out var stopMs) && stopMs >= 0
                ? (count, ms, stopMs)
                : throw Error(node, SleepTrialsKey, "expected {count: N, ms: M[, stop_ms: S]} with whole numbers");
        }

        private SweepFileException Error(YamlNode node, string field, string problem) =>
            new(file, (int)node.Start.Line, (int)node.Start.Column, field, problem);
    }
}
