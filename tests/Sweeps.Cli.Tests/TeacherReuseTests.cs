using System.Text.Json;
using Sweeps.Actors.Messages;
using Sweeps.Cluster;
using Sweeps.Training.Teachers;

namespace Sweeps.Cli.Tests;

/// <summary>
/// Sweep "a" (resnet20 on 128 synthetic images: the FP teacher, 2 epochs, and QAT W4A4), run once with a teacher
/// cache of its own; the tests copy its cache and its teacher.
/// </summary>
public sealed class TeacherSweepFixture : IDisposable
{
    public TeacherSweepFixture()
    {
        Root = Directory.CreateTempSubdirectory("sweeps-teacher-reuse-").FullName;
        Cache = Path.Combine(Root, "cache");
        var file = TeacherReuseTests.SweepFile(Root, "a", Cache);
        var output = new StringWriter();
        var error = new StringWriter();
        Code = RunCommand.RunAsync(file, Output, output, error).GetAwaiter().GetResult();
        Stdout = output.ToString();
        Stderr = error.ToString();
    }

    public string Root { get; }

    /// <summary>Sweep a's cache (its one teacher).</summary>
    public string Cache { get; }

    /// <summary>Sweep a's output folder.</summary>
    public string Output => Path.Combine(Root, "out-a");

    public int Code { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// Teachers reused across sweeps through the teacher cache, and pretrained teachers, end to end with `sweeps run`
/// (in-process, real training): asserted on results.json, the store's events and the trial folders, and on what the
/// command prints. Every sweep names a temporary cache (teacher_cache:); the process's default is off.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TeacherReuseTests(TeacherSweepFixture a) : IClassFixture<TeacherSweepFixture>, IDisposable
{
    internal const string Teacher = "resnet20-synthetic-fp-s0";
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-teacher-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A sweep file: resnet20 on synthetic data, fp + qat at <paramref name="bits"/>, LSQ.</summary>
    internal static string SweepFile(string dir, string name, string cache, string bits = "W4A4", int teacherEpochs = 2, int limit = 128, string extra = "")
    {
        var file = Path.Combine(dir, name + ".yaml");
        File.WriteAllText(file, $"""
            name: {name}
            dataset: synthetic
            models: [resnet20]
            methods: [fp, qat]
            bits: [{bits}]
            epochs: {"{"}teacher: {teacherEpochs}, student: 1{"}"}
            limit: {limit}
            test_limit: 64
            quantizer: lsq
            devices: [cpu]
            teacher_cache: {cache}
            {extra}
            """);
        return file;
    }

    [Fact]
    public void FirstSweep_TrainsItsTeacherAndPublishesIt()
    {
        Assert.True(a.Code == 0, a.Stdout + a.Stderr);
        var teacher = Trial(a.Output, Teacher);
        Assert.Equal(JsonValueKind.Null, teacher.GetProperty("source").ValueKind);
        Assert.True(Directory.Exists(Path.Combine(a.Output, "trials", Teacher, "checkpoint")), "the teacher trained (it checkpointed)");
        var entry = Assert.Single(new TeacherCache(a.Cache).List());
        Assert.Null(entry.Problem);
        Assert.Equal(("a", Teacher, 2), (entry.Source!.Sweep, entry.Source.Trial, entry.Spec!.Epochs));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a.Output, "trials", Teacher, "model.pt")), File.ReadAllBytes(entry.ModelPath));
        Assert.DoesNotContain("teacher " + Teacher, a.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondSweepSharingTheTeacher_TrainsNoTeacher_SaysWhereItCameFrom_ThenListRemoveAndTrainsAgain()
    {
        var cache = CopyCache();
        var key = Assert.Single(new TeacherCache(cache).List()).Key;
        var (code, stdout, stderr, output) = await Run(SweepFile(_dir, "b", cache, bits: "W2A2"));
        Assert.True(code == 0, stdout + stderr);

        var reused = $"reused from {Path.Combine(cache, key)} (sweep a, trial {Teacher}, on {Environment.MachineName})";
        Assert.Contains($"teacher {Teacher}: {reused}", stdout, StringComparison.Ordinal);
        var teacher = Trial(output, Teacher);
        Assert.Equal(reused, teacher.GetProperty("source").GetString());
        var first = Trial(a.Output, Teacher);
        Assert.Equal(first.GetProperty("last_top1").GetDouble(), teacher.GetProperty("last_top1").GetDouble());
        Assert.Equal(2, teacher.GetProperty("epochs").GetInt32());
        // Not trained here: no epoch checkpoint, and the epochs reported are sweep a's, number for number.
        Assert.False(Directory.Exists(Path.Combine(output, "trials", Teacher, "checkpoint")));
        Assert.Equal(EpochTop1(a.Output, Teacher), EpochTop1(output, Teacher));
        Assert.Equal("completed", Trial(output, "resnet20-synthetic-qat-W2A2-s0").GetProperty("status").GetString());
        Assert.Contains($"FP teacher of seed 0: {reused}.", File.ReadAllText(Path.Combine(output, "report.md")), StringComparison.Ordinal);
        Assert.Contains($"FP teacher of seed 0: {reused}.", File.ReadAllText(Path.Combine(output, "report.html")), StringComparison.Ordinal);

        // `sweeps teachers list` shows the real entry and where it was trained; remove takes it out.
        var (listCode, list, listError) = ConsoleCapture.Invoke("teachers", "list", "--cache", cache);
        Assert.True(listCode == 0, listError);
        Assert.Contains($"teacher cache {cache}: 1 teacher(s)", list, StringComparison.Ordinal);
        Assert.Contains(list.Split('\n'), l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains($"trial {Teacher} of sweep a", StringComparison.Ordinal));
        var (removeCode, removed, removeError) = ConsoleCapture.Invoke("teachers", "remove", key, "--cache", cache);
        Assert.True(removeCode == 0, removeError);
        Assert.Contains($"removed {key}", removed, StringComparison.Ordinal);
        Assert.Empty(new TeacherCache(cache).List());

        // With the entry removed, the next sweep trains its teacher again and publishes it under the same key.
        var (againCode, againOut, againError, againOutput) = await Run(SweepFile(_dir, "c", cache, bits: "W2A2"));
        Assert.True(againCode == 0, againOut + againError);
        Assert.Equal(JsonValueKind.Null, Trial(againOutput, Teacher).GetProperty("source").ValueKind);
        Assert.True(Directory.Exists(Path.Combine(againOutput, "trials", Teacher, "checkpoint")));
        var entry = Assert.Single(new TeacherCache(cache).List());
        Assert.Equal((key, "c"), (entry.Key, entry.Source!.Sweep));
    }

    [Theory]
    [InlineData(1, 128, "")]
    [InlineData(2, 96, "")]
    [InlineData(2, 128, "seeds: [1]")]
    public async Task SweepChangingASpecField_MissesTheCacheAndTrains(int teacherEpochs, int limit, string extra)
    {
        var cache = CopyCache();
        var (code, stdout, stderr, output) = await Run(SweepFile(_dir, "changed", cache, teacherEpochs: teacherEpochs, limit: limit, extra: extra));
        Assert.True(code == 0, stdout + stderr);
        var teacher = Trial(output, Assert.Single(Trials(output), t => t.GetProperty("method").GetString() == "fp").GetProperty("id").GetString()!);
        Assert.Equal(JsonValueKind.Null, teacher.GetProperty("source").ValueKind);
        Assert.Equal(teacherEpochs, teacher.GetProperty("epochs").GetInt32());
        Assert.DoesNotContain("reused from", stdout, StringComparison.Ordinal);
        Assert.Equal(2, new TeacherCache(cache).List().Count);
    }

    [Theory]
    [InlineData("model.pt")]
    [InlineData("final.json")]
    [InlineData("metrics.jsonl")]
    [InlineData("teacher.json")]
    public async Task CorruptCacheEntry_IsTrainedAgainAndReplaced(string file)
    {
        var cache = CopyCache();
        var entry = Assert.Single(new TeacherCache(cache).List());
        var path = Path.Combine(entry.Directory, file);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var (code, stdout, stderr, output) = await Run(SweepFile(_dir, "mended", cache));
        Assert.True(code == 0, stdout + stderr);
        var teacher = Trial(output, Teacher);
        Assert.True(Directory.Exists(Path.Combine(output, "trials", Teacher, "checkpoint")), "the teacher trained");
        Assert.Equal("completed", Trial(output, "resnet20-synthetic-qat-W4A4-s0").GetProperty("status").GetString());
        // Found unusable when the sweep looked it up: removed, the teacher trained, then published in its place.
        Assert.StartsWith($"trained: the cached teacher {entry.Directory} is unusable (", teacher.GetProperty("source").GetString(), StringComparison.Ordinal);

        // The entry is whole again: the next sweep reuses it.
        var replaced = Assert.Single(new TeacherCache(cache).List());
        Assert.Null(replaced.Problem);
        Assert.Equal("mended", replaced.Source!.Sweep);
        var (nextCode, nextOut, nextError, next) = await Run(SweepFile(_dir, "next", cache));
        Assert.True(nextCode == 0, nextOut + nextError);
        Assert.StartsWith("reused from ", Trial(next, Teacher).GetProperty("source").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PretrainedTeacher_IsEvaluatedNotTrained_AndItsAccuracyIsTheFpRow()
    {
        // Sweep a's teacher, saved as a state dict, named as the pretrained teacher: evaluated on the same 64 test
        // images, it must score exactly what it scored after its last epoch in sweep a.
        var checkpoint = Path.Combine(_dir, "pretrained.pt");
        File.Copy(Path.Combine(a.Output, "trials", Teacher, "model.pt"), checkpoint);
        var cache = CopyCache();
        var (code, stdout, stderr, output) = await Run(SweepFile(_dir, "p", cache, extra: $"teachers: {{resnet20: {checkpoint}}}"));
        Assert.True(code == 0, stdout + stderr);

        Assert.Contains($"teacher {Teacher}: pretrained, from {checkpoint}", stdout, StringComparison.Ordinal);
        var teacher = Trial(output, Teacher);
        Assert.Equal($"pretrained, from {checkpoint}", teacher.GetProperty("source").GetString());
        Assert.Equal((0, 0), (teacher.GetProperty("epochs").GetInt32(), teacher.GetProperty("epochs_planned").GetInt32()));
        Assert.Equal(Trial(a.Output, Teacher).GetProperty("last_top1").GetDouble(), teacher.GetProperty("last_top1").GetDouble());
        Assert.False(Directory.Exists(Path.Combine(output, "trials", Teacher, "checkpoint")));
        Assert.False(File.Exists(Path.Combine(output, "trials", Teacher, "metrics.jsonl")));
        Assert.Equal("completed", Trial(output, "resnet20-synthetic-qat-W4A4-s0").GetProperty("status").GetString());
        Assert.Contains($"FP teacher of seed 0: pretrained, from {checkpoint}.", File.ReadAllText(Path.Combine(output, "report.md")), StringComparison.Ordinal);
        // Nothing trained, nothing published: the cache still holds sweep a's teacher only.
        Assert.Equal("a", Assert.Single(new TeacherCache(cache).List()).Source!.Sweep);
        using var store = SqliteSweepStore.InDirectory(output);
        Assert.DoesNotContain(store.LoadEvents().OfType<TrialEpochCompleted>(), e => e.TrialId == Teacher);
    }

    [Fact]
    public async Task PretrainedTeacherOfAnotherModel_TeacherFailsNamingTheFile_StudentsNotRun()
    {
        var checkpoint = Path.Combine(_dir, "resnet20.pt");
        File.Copy(Path.Combine(a.Output, "trials", Teacher, "model.pt"), checkpoint);
        var file = SweepFile(_dir, "wrong", "off", extra: $"teachers: {{resnet32: {checkpoint}}}");
        File.WriteAllText(file, File.ReadAllText(file).Replace("models: [resnet20]", "models: [resnet32]", StringComparison.Ordinal));
        var (code, stdout, stderr, output) = await Run(file);
        Assert.Equal(RunCommand.SomeFailed, code);
        var error = Trial(output, "resnet32-synthetic-fp-s0").GetProperty("error").GetString();
        Assert.Contains(checkpoint, error, StringComparison.Ordinal);
        Assert.Contains("missing", error, StringComparison.Ordinal);
        Assert.Contains("not run: resnet32-synthetic-qat-W4A4-s0", stdout + stderr, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Stdout, string Stderr, string Output)> Run(string file)
    {
        var output = Path.Combine(_dir, "out-" + Path.GetFileNameWithoutExtension(file));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RunCommand.RunAsync(file, output, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString(), output);
    }

    /// <summary>A copy of sweep a's cache in this test's folder.</summary>
    private string CopyCache()
    {
        var target = Path.Combine(_dir, "cache");
        foreach (var source in Directory.EnumerateFiles(a.Cache, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(a.Cache, source));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(source, copy);
        }

        return target;
    }

    private static List<JsonElement> Trials(string output)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ResultsFiles.JsonFileName)));
        return [.. doc.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.Clone())];
    }

    private static JsonElement Trial(string output, string id) => Assert.Single(Trials(output), t => t.GetProperty("id").GetString() == id);

    private static List<(int Epoch, double Top1)> EpochTop1(string output, string id)
    {
        using var store = SqliteSweepStore.InDirectory(output);
        return [.. store.LoadEvents().OfType<TrialEpochCompleted>().Where(e => e.TrialId == id).Select(e => (e.Epoch, e.TestTop1)).OrderBy(e => e.Epoch)];
    }
}
