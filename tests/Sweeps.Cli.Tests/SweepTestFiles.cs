using System.Text.Json;
using Sweeps.Actors.Messages;
using Sweeps.Cluster;

namespace Sweeps.Cli.Tests;

/// <summary>
/// Files the process-level tests share: the repository root, the sweep file of a real teacher with sleeping trials, a
/// sweep's events from its store, and the assertion that every trial completed exactly once.
/// </summary>
internal static class SweepTestFiles
{
    /// <summary>The repository's root (the folder of Sweeps.sln above the test's binaries).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Writes <c>NAME.yaml</c> into <paramref name="dir"/>: a real teacher (ResNet-20 on
    /// <paramref name="limit"/> synthetic samples, <paramref name="teacherEpochs"/> epochs) and sleeping trials.</summary>
    public static string WriteSweep(string dir, string name, int teacherEpochs, int sleeping, int sleepMs, int limit = 128)
    {
        var path = Path.Combine(dir, name + ".yaml");
        File.WriteAllText(path, $$"""
            name: {{name}}
            dataset: synthetic
            models: [resnet20]
            methods: [fp]
            epochs: {teacher: {{teacherEpochs}}, student: 1}
            limit: {{limit}}
            test_limit: 64
            devices: [cpu]
            _sleep_trials: {count: {{sleeping}}, ms: {{sleepMs}}}
            """);
        return path;
    }

    /// <summary>The events in the store of the sweep output folder <paramref name="output"/> (none while it cannot be read).</summary>
    public static List<TrialEvent> LoadEvents(string output)
    {
        var path = Path.Combine(output, SqliteSweepStore.FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            using var store = new SqliteSweepStore(path);
            return [.. store.LoadEvents()];
        }
        catch (Sweeps.Actors.Storage.StoreException)
        {
            return [];
        }
    }

    /// <summary>The sweep in <paramref name="output"/> completed with <paramref name="count"/> trials, each completed
    /// once, no event recorded twice, and each epoch of a training trial trained once (its <c>metrics.jsonl</c> under
    /// <paramref name="trialsDirectory"/>, the sweep's <c>CHECKPOINT-DIR/SWEEP/trials</c>).</summary>
    public static void AssertEachTrialCompletedOnce(string output, string trialsDirectory, int count)
    {
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal("completed", results.RootElement.GetProperty("sweep").GetProperty("status").GetString());
        var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(count, trials.Count);
        Assert.Equal(count, trials.Select(t => t.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(trials, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        var events = LoadEvents(output);
        var completed = events.OfType<TrialCompleted>().GroupBy(e => e.TrialId).ToList();
        Assert.Equal(count, completed.Count);
        Assert.All(completed, g => Assert.Single(g));
        var keys = events.Select(e => e.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        foreach (var t in trials.Where(t => t.GetProperty("epochs_planned").GetInt32() > 0))
        {
            var id = t.GetProperty("id").GetString()!;
            var epochs = File.ReadAllLines(Path.Combine(trialsDirectory, id, "metrics.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32());
            Assert.Equal(Enumerable.Range(1, t.GetProperty("epochs_planned").GetInt32()), epochs);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Sweeps.sln) not found above " + AppContext.BaseDirectory);
    }
}
