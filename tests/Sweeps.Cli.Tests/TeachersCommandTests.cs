using System.Text.Json;
using Sweeps.Training.Methods;
using Sweeps.Training.Teachers;

namespace Sweeps.Cli.Tests;

/// <summary>`sweeps teachers list|remove --cache DIR` as a user runs it, on a cache holding published teachers.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TeachersCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-teachers-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CacheRoot => Path.Combine(_dir, "cache");

    [Fact]
    public void List_NoCacheYet_SaysNone()
    {
        var (code, stdout, stderr) = ConsoleCapture.Invoke("teachers", "list", "--cache", CacheRoot);
        Assert.True(code == 0, stderr);
        Assert.Equal($"teacher cache {CacheRoot}: 0 teacher(s)\n", stdout.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void List_TwoTeachers_OneLineEachWithItsDataAccuracyAndOrigin()
    {
        var a = Publish(seed: 0, top1: 0.8712);
        var b = Publish(seed: 1, top1: 0.8650);
        var (code, stdout, stderr) = ConsoleCapture.Invoke("teachers", "list", "--cache", CacheRoot);
        Assert.True(code == 0, stderr);
        var lines = stdout.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Assert.Equal($"teacher cache {CacheRoot}: 2 teacher(s)", lines[0]);
        Assert.StartsWith("key", lines[1], StringComparison.Ordinal);
        var line = Assert.Single(lines, l => l.StartsWith(a.Key, StringComparison.Ordinal));
        Assert.Matches($@"^{a.Key}\s+4096\s+2000\s+8\s+0\s+87\.12%\s+\S+ kB\s+\d{{4}}-\d\d-\d\d \d\d:\d\d\s+trial resnet20-fashion-mnist-fp-s0 of sweep quick \({Path.Combine(_dir, "run-0")}\) on node-1$", line);
        Assert.Contains(lines, l => l.StartsWith(b.Key, StringComparison.Ordinal) && l.Contains("86.50%", StringComparison.Ordinal));
    }

    [Fact]
    public void Remove_ByKey_RemovesOnlyThatOne()
    {
        var a = Publish(seed: 0, top1: 0.87);
        var b = Publish(seed: 1, top1: 0.86);
        var (code, stdout, stderr) = ConsoleCapture.Invoke("teachers", "remove", a.Key, "--cache", CacheRoot);
        Assert.True(code == 0, stderr);
        Assert.Equal($"removed {a.Key}\n", stdout.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal([b.Key], new TeacherCache(CacheRoot).List().Select(e => e.Key));
    }

    [Fact]
    public void Remove_UnknownKey_ExitsOneAndRemovesNothing()
    {
        var a = Publish(seed: 0, top1: 0.87);
        var (code, _, stderr) = ConsoleCapture.Invoke("teachers", "remove", "resnet20-fashion-mnist-0000000000000000", "--cache", CacheRoot);
        Assert.Equal(TeachersCommand.Failed, code);
        Assert.Contains($"error: no teacher 'resnet20-fashion-mnist-0000000000000000' in {CacheRoot}", stderr, StringComparison.Ordinal);
        Assert.Equal([a.Key], new TeacherCache(CacheRoot).List().Select(e => e.Key));
    }

    [Fact]
    public void Remove_All_EmptiesTheCache()
    {
        Publish(seed: 0, top1: 0.87);
        Publish(seed: 1, top1: 0.86);
        var (code, stdout, _) = ConsoleCapture.Invoke("teachers", "remove", "--all", "--cache", CacheRoot);
        Assert.Equal(0, code);
        Assert.Contains($"removed 2 teacher(s) from {CacheRoot}", stdout, StringComparison.Ordinal);
        Assert.Empty(new TeacherCache(CacheRoot).List());
    }

    [Fact]
    public void Remove_NeitherKeysNorAll_IsAUsageError()
    {
        var (code, _, stderr) = ConsoleCapture.Invoke("teachers", "remove", "--cache", CacheRoot);
        Assert.Equal(SweepsCommand.UsageError, code);
        Assert.Contains("give the keys to remove", stderr, StringComparison.Ordinal);
    }

    private CachedTeacher Publish(long seed, double top1)
    {
        using var fp = new FullPrecisionMethod();
        var spec = new TeacherSpec
        {
            Model = "resnet20", Dataset = "fashion-mnist", TrainLimit = 4096, TestLimit = 2000, Seed = seed, Epochs = 8,
            Recipe = fp.Recipe, Augment = true, CodeVersion = "sha256:0123456789abcdef", LibTorchVersion = "1.13.1",
        };
        var run = Path.Combine(_dir, $"run-{seed}");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "model.pt"), "weights");
        File.WriteAllText(Path.Combine(run, "metrics.jsonl"), "{\"epoch\": 8}\n");
        File.WriteAllText(Path.Combine(run, "final.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["status"] = "completed", ["method"] = "fp", ["model"] = "resnet20", ["dataset"] = "fashion-mnist", ["seed"] = seed, ["epochs"] = 8,
            ["last_test_top1"] = top1,
        }));
        var source = new TeacherSource { Directory = run, Sweep = "quick", Trial = $"resnet20-fashion-mnist-fp-s{seed}", Host = "node-1" };
        return new TeacherCache(CacheRoot).Publish(spec, run, source);
    }
}
