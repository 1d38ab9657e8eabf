using System.Security.Cryptography;
using System.Text.Json;
using Sweeps.Training.Teachers;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>One real fp run (resnet20, 1 epoch of 64 synthetic samples) that the cache tests publish.</summary>
public sealed class CacheTeacherRun : IDisposable
{
    private readonly TempDirectory _directory = new();

    public CacheTeacherRun()
    {
        Options = TrainerTestData.Options(_directory.Path, "fp", epochs: 1, trainLimit: 64);
        TrainerTestData.Trainer(Options).Run();
        Spec = TeacherSpec.For(Options);
    }

    public TrainerOptions Options { get; }

    public TeacherSpec Spec { get; }

    public string Directory => _directory.Path;

    public void Dispose() => _directory.Dispose();
}

/// <summary>The content-addressed teacher cache: keys, publishing, lookup, listing and removal on a real fp run.</summary>
public sealed class TeacherCacheTests(CacheTeacherRun run) : IClassFixture<CacheTeacherRun>, IDisposable
{
    private static readonly string[] TrainerFiles = [Trainer.ModelFileName, Trainer.FinalFileName, Trainer.MetricsFileName];
    private readonly TempDirectory _root = new();
    private readonly TeacherSource _source = new() { Directory = "/runs/quick/trials/t", Sweep = "quick", Trial = "resnet20-synthetic-fp-s7", Host = "node-1" };

    public void Dispose() => _root.Dispose();

    private TeacherCache Cache => new(Path.Combine(_root.Path, "teachers"));

    [Fact]
    public void DefaultRoot_Environment_PicksExplicitThenXdgThenHome()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] values) =>
            name => values.FirstOrDefault(v => v.Name == name).Value;

        Assert.Equal("/srv/teachers", TeacherCache.DefaultRoot(Env(("SWEEPS_TEACHER_CACHE", "/srv/teachers"), ("XDG_CACHE_HOME", "/x"), ("HOME", "/home/a"))));
        Assert.Equal("/x/sweeps/teachers", TeacherCache.DefaultRoot(Env(("XDG_CACHE_HOME", "/x"), ("HOME", "/home/a"))));
        // XDG's rule: a relative XDG_CACHE_HOME is invalid and ignored.
        Assert.Equal("/home/a/.cache/sweeps/teachers", TeacherCache.DefaultRoot(Env(("XDG_CACHE_HOME", "relative"), ("HOME", "/home/a"))));
        Assert.Equal("/home/a/.cache/sweeps/teachers", TeacherCache.DefaultRoot(Env(("HOME", "/home/a"))));
    }

    [Fact]
    public void Open_SweepFileThenEnvironmentThenFallbackThenUserFolder_OffTurnsItOff()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] values) =>
            name => values.FirstOrDefault(v => v.Name == name).Value;

        var env = Env(("SWEEPS_TEACHER_CACHE", "/env/t"), ("HOME", "/home/a"));
        Assert.Equal("/file/t", TeacherCache.Open("/file/t", "/shared/teachers", env)!.Root);
        Assert.Equal("/env/t", TeacherCache.Open(null, "/shared/teachers", env)!.Root);
        Assert.Equal("/shared/teachers", TeacherCache.Open(null, "/shared/teachers", Env(("HOME", "/home/a")))!.Root);
        Assert.Equal("/home/a/.cache/sweeps/teachers", TeacherCache.Open(null, null, Env(("HOME", "/home/a")))!.Root);
        Assert.Null(TeacherCache.Open("off", null, env));
        Assert.Null(TeacherCache.Open(null, "/shared/teachers", Env(("SWEEPS_TEACHER_CACHE", "Off"))));
        // The sweep file decides before the environment: a file's folder wins over an environment's off.
        Assert.Equal("/file/t", TeacherCache.Open("/file/t", null, Env(("SWEEPS_TEACHER_CACHE", "off")))!.Root);
    }

    [Fact]
    public void Spec_ForFpOptions_HoldsWhatDecidesTheTraining()
    {
        var spec = run.Spec;
        Assert.Equal(("resnet20", "synthetic", 64, 128, 7L, 1), (spec.Model, spec.Dataset, spec.TrainLimit, spec.TestLimit, spec.Seed, spec.Epochs));
        Assert.Null(spec.DataDirectory);
        Assert.True(spec.Augment);
        // The fp recipe with the run's batch size (16 in the test runs).
        Assert.Equal((Sweeps.Training.Methods.OptimizerKind.Sgd, 0.05, 16), (spec.Recipe.Optimizer, spec.Recipe.LearningRate, spec.Recipe.BatchSize));
        Assert.Equal(TrainingCode.Version, spec.CodeVersion);
        Assert.Equal(Sweeps.Torch.Torch.LibTorchVersion, spec.LibTorchVersion);
        Assert.Matches("^resnet20-synthetic-[0-9a-f]{16}$", spec.Key);
        Assert.Throws<ArgumentException>(() => TeacherSpec.For(run.Options with { Method = "qat" }));
    }

    [Fact]
    public void Key_ChangesWithEveryPartOfTheSpec_AndSurvivesAJsonRoundTrip()
    {
        var spec = run.Spec;
        TeacherSpec[] variants =
        [
            spec with { Model = "resnet32" }, spec with { Dataset = "mnist" }, spec with { DataDirectory = "/data/x" },
            spec with { ImageSize = 32 }, spec with { SkipBadImages = true },
            spec with { TrainLimit = null }, spec with { TrainLimit = 65 }, spec with { TestLimit = null }, spec with { Seed = 8 },
            spec with { Epochs = 2 }, spec with { Recipe = spec.Recipe with { LearningRate = 0.1 } },
            spec with { Recipe = spec.Recipe with { BatchSize = 32 } }, spec with { Augment = false },
            spec with { CodeVersion = "sha256:0000000000000000" }, spec with { LibTorchVersion = "2.11.0" },
        ];
        var keys = variants.Select(v => v.Key).Append(spec.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());

        using var json = JsonDocument.Parse(spec.ToJson());
        var back = TeacherSpec.FromJson(json.RootElement);
        Assert.Equal(spec.ToJson(), back.ToJson());
        Assert.Equal(spec.Key, back.Key);
        Assert.Equal(spec with { }, back);
    }

    [Fact]
    public void TrainingCode_Manifest_ListsTheSourcesByContentInAnyOrder()
    {
        using var stream = typeof(TrainingCode).Assembly.GetManifestResourceStream(TrainingCode.ManifestResource)!;
        var manifest = new StreamReader(stream).ReadToEnd();
        var lines = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ')).ToDictionary(p => p[0], p => p[1]);
        var root = RepoRoot();
        foreach (var (entry, file) in new[]
        {
            ("Sweeps.Training/Training/Trainer.cs", "training/Sweeps.Training/Training/Trainer.cs"),
            ("Sweeps.Torch/NN/Module.cs", "training/Sweeps.Torch/NN/Module.cs"),
            ("native/src/nn.cpp", "training/native/src/nn.cpp"),
        })
        {
            var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, file))));
            Assert.Equal(hash, lines[entry], ignoreCase: true);
        }

        Assert.DoesNotContain(lines.Keys, k => k.Contains("/obj/", StringComparison.Ordinal) || k.Contains("/bin/", StringComparison.Ordinal));
        var reversed = string.Join('\n', manifest.Split('\n').Reverse());
        Assert.Equal(TrainingCode.Version, TrainingCode.FromManifest(reversed));
        Assert.Equal(TrainingCode.Version, TrainingCode.FromManifest(manifest));
        Assert.NotEqual(TrainingCode.Version, TrainingCode.FromManifest(manifest.Replace(lines["native/src/nn.cpp"], new string('0', 64), StringComparison.OrdinalIgnoreCase)));
        Assert.Matches("^sha256:[0-9a-f]{16}$", TrainingCode.Version);
    }

    [Fact]
    public void Publish_CompletedRun_FindListsAndServesItsFiles()
    {
        var cache = Cache;
        Assert.Null(cache.Find(run.Spec));
        Assert.Empty(cache.List());

        var entry = cache.Publish(run.Spec, run.Directory, _source);
        Assert.Equal(Path.Combine(cache.Root, run.Spec.Key), entry.Directory);
        foreach (var file in TrainerFiles)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(run.Directory, file)), File.ReadAllBytes(Path.Combine(entry.Directory, file)));
        }

        var found = cache.Find(run.Spec);
        Assert.NotNull(found);
        Assert.Null(found.Problem);
        Assert.Equal(run.Spec, found.Spec);
        Assert.Equal(_source, found.Source);
        Assert.Equal(TrainerTestData.Final(run.Directory).GetProperty("last_test_top1").GetDouble(), found.TestTop1);
        Assert.Equal(TrainerFiles.Append(TeacherCache.EntryFile).Sum(f => new FileInfo(Path.Combine(entry.Directory, f)).Length), found.SizeBytes);
        Assert.Equal([run.Spec.Key], cache.List().Select(e => e.Key));
        Assert.Equal(["key", "spec", "source", "published_at"], Entry(entry).EnumerateObject().Select(p => p.Name));
        Assert.Empty(Directory.GetDirectories(cache.Root, ".*"));

        // Another spec is another teacher.
        Assert.Null(cache.Find(run.Spec with { Epochs = 2 }));
    }

    [Fact]
    public void Publish_Again_KeepsTheFirstEntry()
    {
        var cache = Cache;
        var first = cache.Publish(run.Spec, run.Directory, _source);
        var second = cache.Publish(run.Spec, run.Directory, _source with { Sweep = "other" });
        Assert.Equal(first.PublishedAt, second.PublishedAt);
        Assert.Equal("quick", cache.Find(run.Spec)!.Source!.Sweep);
        Assert.Single(cache.List());
    }

    [Fact]
    public async Task Publish_ManyAtOnce_OneEntryEveryoneGetsIt()
    {
        var cache = Cache;
        var start = new Barrier(8);
        var entries = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return new TeacherCache(cache.Root).Publish(run.Spec, run.Directory, _source with { Trial = $"t{i}" });
        })));

        var published = Assert.Single(cache.List());
        Assert.All(entries, e => Assert.Equal((published.Key, published.PublishedAt, published.Source), (e.Key, e.PublishedAt, e.Source)));
        Assert.Equal([published.Directory], Directory.GetDirectories(cache.Root)); // no half-published folder left
    }

    [Theory]
    [InlineData("status", "failed", "status \"failed\" (expected \"completed\")")]
    [InlineData("method", "qat", "method \"qat\" (expected \"fp\")")]
    [InlineData("seed", 3, "seed 3")]
    public void Publish_RunThatIsNotThisTeacher_SaysWhyAndPublishesNothing(string field, object value, string expected)
    {
        var copy = CopyOfRun();
        var final = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(copy, Trainer.FinalFileName)))!;
        final[field] = JsonSerializer.SerializeToElement(value);
        File.WriteAllText(Path.Combine(copy, Trainer.FinalFileName), JsonSerializer.Serialize(final));

        var ex = Assert.Throws<InvalidOperationException>(() => Cache.Publish(run.Spec, copy, _source));
        Assert.StartsWith(Path.Combine(copy, Trainer.FinalFileName) + ": not this teacher's completed run: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Cache.List());
    }

    [Fact]
    public void Publish_RunWithoutModel_NamesTheMissingFile()
    {
        var copy = CopyOfRun();
        File.Delete(Path.Combine(copy, Trainer.ModelFileName));
        var ex = Assert.Throws<InvalidOperationException>(() => Cache.Publish(run.Spec, copy, _source));
        Assert.StartsWith($"{Path.Combine(copy, Trainer.ModelFileName)}: not found", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Cache.Root));
    }

    [Fact]
    public void Remove_Entry_FindNoLongerSeesIt()
    {
        var cache = Cache;
        var entry = cache.Publish(run.Spec, run.Directory, _source);
        Assert.True(cache.Remove(entry.Key));
        Assert.False(Directory.Exists(entry.Directory));
        Assert.Null(cache.Find(run.Spec));
        Assert.False(cache.Remove(entry.Key));
        Assert.Empty(Directory.GetFileSystemEntries(cache.Root));
        Assert.Throws<ArgumentException>(() => cache.Remove("../teachers"));
        Assert.Throws<ArgumentException>(() => cache.Remove(".tmp-x"));
    }

    [Fact]
    public void List_BrokenEntryAndLeftovers_ListsTheBrokenOneOnlyAndRemoveAllClearsEverything()
    {
        var cache = Cache;
        var good = cache.Publish(run.Spec, run.Directory, _source);
        var other = run.Spec with { Seed = 8 };
        var broken = Path.Combine(cache.Root, other.Key);
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, TeacherCache.EntryFile), "{ torn");
        // What a publisher killed mid-copy leaves: a hidden folder, never an entry.
        var leftover = Path.Combine(cache.Root, $".tmp-{run.Spec.Key}-0123");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, Trainer.ModelFileName), "half");

        var entries = cache.List();
        Assert.Equal(2, entries.Count);
        var bad = Assert.Single(entries, e => e.Key == other.Key);
        Assert.Null(bad.Spec);
        Assert.StartsWith($"{Path.Combine(broken, TeacherCache.EntryFile)}: cannot be read", bad.Problem, StringComparison.Ordinal);
        Assert.Null(cache.Find(other));
        Assert.NotNull(cache.Find(run.Spec));

        Assert.Equal(2, cache.RemoveAll());
        Assert.Empty(Directory.GetFileSystemEntries(cache.Root));
        Assert.False(Directory.Exists(good.Directory));
    }

    [Fact]
    public void Publish_OverABrokenEntryOfTheSameKey_ReplacesIt()
    {
        var cache = Cache;
        var broken = Path.Combine(cache.Root, run.Spec.Key);
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, TeacherCache.EntryFile), "{ torn");
        var entry = cache.Publish(run.Spec, run.Directory, _source);
        Assert.Null(entry.Problem);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run.Directory, Trainer.ModelFileName)), File.ReadAllBytes(entry.ModelPath));
        Assert.Equal([entry.Directory], Directory.GetDirectories(cache.Root));
    }

    [Fact]
    public void Find_EntryMovedUnderAnotherKey_IsNotServedForEitherSpec()
    {
        var cache = Cache;
        var entry = cache.Publish(run.Spec, run.Directory, _source);
        var other = run.Spec with { Epochs = 9 };
        Directory.Move(entry.Directory, Path.Combine(cache.Root, other.Key));
        Assert.Null(cache.Find(other));
        Assert.Null(cache.Find(run.Spec));
        Assert.Contains("not the folder's name", Assert.Single(cache.List()).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_ThenStudentTrainsFromTheCachedModel()
    {
        var entry = Cache.Publish(run.Spec, run.Directory, _source);
        using var student = new TempDirectory();
        var options = TrainerTestData.Options(student.Path, "qat", epochs: 1, trainLimit: 32) with
        {
            TeacherCheckpoint = entry.ModelPath, Quantizer = Sweeps.Training.Quantization.QuantizerKind.Lsq,
        };
        var result = TrainerTestData.Trainer(options).Run();
        Assert.Equal("completed", result.Status);
    }

    private string CopyOfRun()
    {
        var copy = Path.Combine(_root.Path, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in TrainerFiles)
        {
            File.Copy(Path.Combine(run.Directory, file), Path.Combine(copy, file));
        }

        return copy;
    }

    private static JsonElement Entry(CachedTeacher entry) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(entry.Directory, TeacherCache.EntryFile))).RootElement.Clone();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
