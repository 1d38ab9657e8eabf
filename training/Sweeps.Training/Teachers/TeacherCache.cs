using System.Text.Json;
using System.Text.Json.Nodes;
using Sweeps.Training.Training;

namespace Sweeps.Training.Teachers;

/// <summary>
/// A content-addressed store of trained FP teachers: each teacher lives in <c>ROOT/KEY/</c>, KEY being its
/// <see cref="TeacherSpec.Key"/>, with the trainer's <c>model.pt</c>, <c>final.json</c> and <c>metrics.jsonl</c> and a
/// <c>teacher.json</c> (spec, source, time). The root may be shared by several processes and machines (a shared
/// folder): a teacher is published atomically (its files are written to a hidden folder beside the entries and
/// renamed to KEY at once, so a reader sees a whole entry or none), the first of two publishers of one key wins and
/// the second gets the first's entry, and removing renames the entry away before deleting it.
/// </summary>
/// <remarks>Thread-safe: it holds no state but its root; every call works on the file system.</remarks>
public sealed class TeacherCache
{
    /// <summary>The environment variable that moves the default cache: <c>SWEEPS_TEACHER_CACHE</c>.</summary>
    public const string EnvironmentVariable = "SWEEPS_TEACHER_CACHE";

    /// <summary>The file of an entry that holds its spec and source.</summary>
    public const string EntryFile = "teacher.json";

    private const string TempPrefix = ".tmp-";
    private const string TrashPrefix = ".trash-";

    private static readonly string[] TrainerFiles = [Trainer.ModelFileName, Trainer.FinalFileName, Trainer.MetricsFileName];

    /// <summary>A cache at <paramref name="root"/> (created when the first teacher is published).</summary>
    public TeacherCache(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache's folder (full path).</summary>
    public string Root { get; }

    /// <summary>
    /// The default root: <c>$SWEEPS_TEACHER_CACHE</c> if set (and not <c>off</c>), else <c>$XDG_CACHE_HOME/sweeps/teachers</c> if
    /// <c>XDG_CACHE_HOME</c> is an absolute path, else <c>~/.cache/sweeps/teachers</c>.
    /// </summary>
    /// <param name="environment">Reads an environment variable (tests); null for the process environment.</param>
    public static string DefaultRoot(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(EnvironmentVariable) is { Length: > 0 } explicitRoot && !string.Equals(explicitRoot.Trim(), Off, StringComparison.OrdinalIgnoreCase))
        {
            return Path.GetFullPath(explicitRoot);
        }

        var cache = environment("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg)
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "sweeps", "teachers");
    }

    /// <summary>The value of the sweep file's <c>teacher_cache</c> or of <c>SWEEPS_TEACHER_CACHE</c> that turns the cache
    /// off: <c>off</c>.</summary>
    public const string Off = "off";

    /// <summary>
    /// The cache a run uses, or null when it is turned off: <paramref name="configured"/> (the sweep file's
    /// <c>teacher_cache</c>) if given, else <c>$SWEEPS_TEACHER_CACHE</c> if set, else <paramref name="fallbackRoot"/>
    /// (cluster mode: under the shared checkpoint folder) if given, else <see cref="DefaultRoot"/>'s user cache folder.
    /// A value <c>off</c> (any case) at the step that decides turns the cache off.
    /// </summary>
    /// <param name="configured">The sweep file's value, or null.</param>
    /// <param name="fallbackRoot">The root when neither the file nor the environment names one, or null for the user's
    /// cache folder.</param>
    /// <param name="environment">Reads an environment variable (tests); null for the process environment.</param>
    public static TeacherCache? Open(string? configured, string? fallbackRoot = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var root = configured is { Length: > 0 } ? configured
            : environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : fallbackRoot ?? DefaultRoot(environment);
        return string.Equals(root.Trim(), Off, StringComparison.OrdinalIgnoreCase) ? null : new TeacherCache(root);
    }

    /// <summary>The usable entry of <paramref name="spec"/>, or null when the cache has none.</summary>
    public CachedTeacher? Find(TeacherSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var folder = Path.Combine(Root, spec.Key);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var entry = Read(folder);
        // The same key for another spec would be a hash collision or a hand-edited entry: not this teacher.
        return entry.Problem is null && entry.Spec!.ToJson() == spec.ToJson() ? entry : null;
    }

    /// <summary>
    /// Copies the usable entry of <paramref name="spec"/> into <paramref name="trialDirectory"/> (<c>model.pt</c>,
    /// <c>final.json</c>, <c>metrics.jsonl</c>, each replaced atomically) so that the trial is that teacher, after checking
    /// that every file reads (the state dict loads, the summary is a completed run of the spec's epochs, one metrics line
    /// per epoch). An entry that fails the check is removed (a later publish replaces it) and null is returned, with the
    /// reason told to <paramref name="unusable"/>; null too when the cache has no entry of the spec.
    /// </summary>
    /// <param name="spec">The teacher wanted.</param>
    /// <param name="trialDirectory">The trial's folder (created if missing).</param>
    /// <param name="unusable">Told why an entry of the spec could not be used; null for nobody.</param>
    /// <exception cref="IOException">The trial's folder cannot be written.</exception>
    public RestoredTeacher? Restore(TeacherSpec spec, string trialDirectory, Action<string>? unusable = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(trialDirectory);
        var folder = Path.Combine(Root, spec.Key);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var entry = Read(folder);
        TrainingResult result;
        List<EpochMetrics> epochs;
        try
        {
            if (entry.Problem is not null)
            {
                throw new InvalidDataException(entry.Problem);
            }

            if (entry.Spec!.ToJson() != spec.ToJson())
            {
                throw new InvalidDataException($"{Path.Combine(folder, EntryFile)}: its spec is not the one its key addresses");
            }

            result = JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(entry.FinalPath), TrainingJson.Line)
                ?? throw new InvalidDataException($"{entry.FinalPath}: null");
            if (result.Status != "completed" || result.Epochs != spec.Epochs)
            {
                throw new InvalidDataException($"{entry.FinalPath}: status {result.Status}, {result.Epochs} epochs; expected a completed run of {spec.Epochs}");
            }

            epochs = [.. File.ReadAllLines(entry.MetricsPath).Where(l => l.Length > 0)
                .Select(l => JsonSerializer.Deserialize<EpochMetrics>(l, TrainingJson.Line) ?? throw new InvalidDataException($"{entry.MetricsPath}: a null line"))];
            if (!epochs.Select(e => e.Epoch).SequenceEqual(Enumerable.Range(1, spec.Epochs)))
            {
                throw new InvalidDataException($"{entry.MetricsPath}: epochs {string.Join(",", epochs.Select(e => e.Epoch))}; expected 1..{spec.Epochs}");
            }

            using (Sweeps.Torch.DisposeScope.Enter())
            {
                Sweeps.Torch.Serialization.StateDictFile.Load(entry.ModelPath);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidDataException or Sweeps.Torch.TorchException or NotSupportedException)
        {
            unusable?.Invoke($"the cached teacher {folder} is unusable ({ex.Message}); it was removed");
            Remove(spec.Key);
            return null;
        }

        Directory.CreateDirectory(trialDirectory);
        foreach (var file in TrainerFiles)
        {
            var target = Path.Combine(trialDirectory, file);
            var temp = target + ".restore";
            File.Delete(temp);
            CopyDurably(Path.Combine(folder, file), temp);
            File.Move(temp, target, overwrite: true);
        }

        return new RestoredTeacher(entry, result, epochs);
    }

    /// <summary>
    /// Publishes the teacher trained in <paramref name="trialDirectory"/> (a completed fp run: <c>model.pt</c>,
    /// <c>final.json</c> with status completed, <c>metrics.jsonl</c>) under <paramref name="spec"/>. When the cache
    /// already has a usable entry for the spec (published before, or by another process meanwhile), that entry is kept
    /// and returned, and nothing is copied; an unusable entry under the spec's key is replaced.
    /// </summary>
    /// <returns>The cache's entry of the spec.</returns>
    /// <exception cref="InvalidOperationException">The folder does not hold a completed fp run of this spec (the message
    /// names the file and what was expected).</exception>
    /// <exception cref="IOException">The cache cannot be written.</exception>
    public CachedTeacher Publish(TeacherSpec spec, string trialDirectory, TeacherSource source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(trialDirectory);
        ArgumentNullException.ThrowIfNull(source);
        CheckCompletedRun(spec, Path.GetFullPath(trialDirectory));
        if (Find(spec) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Root);
        var key = spec.Key;
        var temp = Path.Combine(Root, $"{TempPrefix}{key}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var file in TrainerFiles)
            {
                CopyDurably(Path.Combine(trialDirectory, file), Path.Combine(temp, file));
            }

            var entry = new JsonObject
            {
                ["key"] = key,
                ["spec"] = JsonNode.Parse(spec.ToJson()),
                ["source"] = JsonSerializer.SerializeToNode(source, TrainingJson.Line),
                ["published_at"] = DateTimeOffset.UtcNow.ToString("O"),
            };
            TrainingJson.WriteAtomic(Path.Combine(temp, EntryFile), entry.ToJsonString(TrainingJson.Indented));
            if (Directory.Exists(Path.Combine(Root, key)) && Find(spec) is null)
            {
                Remove(key); // an unusable entry (torn teacher.json, missing file) holds the key: this teacher replaces it
            }

            try
            {
                Directory.Move(temp, Path.Combine(Root, key));
            }
            catch (IOException) when (Find(spec) is not null)
            {
                // Another process published the same teacher first: keep its entry.
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        return Find(spec) ?? throw new IOException($"the teacher '{key}' was published to '{Root}' but cannot be read back");
    }

    /// <summary>Every entry, usable or not (see <see cref="CachedTeacher.Problem"/>), by model, dataset and time;
    /// empty when the cache folder does not exist. Folders being published or removed are not listed.</summary>
    public IReadOnlyList<CachedTeacher> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return Directory.EnumerateDirectories(Root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Select(Read)
            .OrderBy(e => e.Spec?.Model, StringComparer.Ordinal)
            .ThenBy(e => e.Spec?.Dataset, StringComparer.Ordinal)
            .ThenBy(e => e.PublishedAt)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Removes the entry <paramref name="key"/>; false when there is none.</summary>
    /// <exception cref="ArgumentException">The key is not a folder name (holds a path separator or is <c>.</c>/<c>..</c>).</exception>
    public bool Remove(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.IndexOfAny(['/', '\\']) >= 0 || key.StartsWith('.'))
        {
            throw new ArgumentException($"'{key}' is not a teacher key (keys look like resnet20-fashion-mnist-0123456789abcdef)", nameof(key));
        }

        var folder = Path.Combine(Root, key);
        if (!Directory.Exists(folder))
        {
            return false;
        }

        var trash = Path.Combine(Root, $"{TrashPrefix}{key}-{Guid.NewGuid():N}");
        try
        {
            Directory.Move(folder, trash);
        }
        catch (DirectoryNotFoundException)
        {
            return false; // removed by another process meanwhile
        }

        Directory.Delete(trash, recursive: true);
        return true;
    }

    /// <summary>Removes every entry, and what interrupted publishers or removers left behind.</summary>
    /// <returns>The number of entries removed.</returns>
    public int RemoveAll()
    {
        if (!Directory.Exists(Root))
        {
            return 0;
        }

        var removed = List().Count(e => Remove(e.Key));
        foreach (var leftover in Directory.EnumerateDirectories(Root)
            .Where(d => Path.GetFileName(d) is var n && (n.StartsWith(TempPrefix, StringComparison.Ordinal) || n.StartsWith(TrashPrefix, StringComparison.Ordinal))))
        {
            try
            {
                Directory.Delete(leftover, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Finished or removed by its owner meanwhile.
            }
        }

        return removed;
    }

    private static void CheckCompletedRun(TeacherSpec spec, string directory)
    {
        foreach (var file in TrainerFiles)
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new InvalidOperationException($"{Path.Combine(directory, file)}: not found (expected a completed fp run's {string.Join(", ", TrainerFiles)})");
            }
        }

        var finalPath = Path.Combine(directory, Trainer.FinalFileName);
        try
        {
            using var final = JsonDocument.Parse(File.ReadAllText(finalPath));
            var root = final.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            long? Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
            var problems = new List<string>();
            if (Text("status") != "completed")
            {
                problems.Add($"status \"{Text("status")}\" (expected \"completed\")");
            }

            if (Text("method") != Methods.FullPrecisionMethod.MethodName)
            {
                problems.Add($"method \"{Text("method")}\" (expected \"{Methods.FullPrecisionMethod.MethodName}\")");
            }

            if (Text("model") != spec.Model || Text("dataset") != spec.Dataset || Number("seed") != spec.Seed || Number("epochs") != spec.Epochs)
            {
                problems.Add($"model {Text("model")}, dataset {Text("dataset")}, seed {Number("seed")}, epochs {Number("epochs")} "
                    + $"(expected {spec.Model}, {spec.Dataset}, {spec.Seed}, {spec.Epochs})");
            }

            if (problems.Count > 0)
            {
                throw new InvalidOperationException($"{finalPath}: not this teacher's completed run: {string.Join("; ", problems)}");
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{finalPath}: not valid JSON ({ex.Message})", ex);
        }
    }

    private static CachedTeacher Read(string folder)
    {
        var key = Path.GetFileName(folder);
        var size = Directory.EnumerateFiles(folder).Sum(f => new FileInfo(f).Length);
        var entryPath = Path.Combine(folder, EntryFile);
        try
        {
            using var entry = JsonDocument.Parse(File.ReadAllText(entryPath));
            var root = entry.RootElement;
            var spec = TeacherSpec.FromJson(root.GetProperty("spec"));
            var source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object ? s.Deserialize<TeacherSource>(TrainingJson.Line) : null;
            DateTimeOffset? published = root.TryGetProperty("published_at", out var p) && p.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(p.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : null;
            var missing = TrainerFiles.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
            string? problem = spec.Key != key
                ? $"{entryPath}: its spec's key is {spec.Key}, not the folder's name"
                : missing.Count > 0 ? $"{folder}: {string.Join(", ", missing)} missing" : null;
            return new CachedTeacher
            {
                Key = key,
                Directory = folder,
                Spec = problem is null ? spec : null,
                Source = source,
                PublishedAt = published,
                TestTop1 = LastTestTop1(Path.Combine(folder, Trainer.FinalFileName)),
                SizeBytes = size,
                Problem = problem,
            };
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            return new CachedTeacher { Key = key, Directory = folder, SizeBytes = size, Problem = $"{entryPath}: cannot be read ({ex.Message})" };
        }
    }

    private static double? LastTestTop1(string finalPath)
    {
        try
        {
            using var final = JsonDocument.Parse(File.ReadAllText(finalPath));
            return final.RootElement.TryGetProperty("last_test_top1", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    private static void CopyDurably(string source, string destination)
    {
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read))
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            input.CopyTo(output);
            output.Flush(flushToDisk: true);
        }
    }
}
