using Sweeps.Training.Training;

namespace Sweeps.Training.Teachers;

/// <summary>A cached teacher copied into a trial's folder by <see cref="TeacherCache.Restore"/>: the entry it came from,
/// its summary (<c>final.json</c>) and its epochs (<c>metrics.jsonl</c>), as the trainer had written them.</summary>
/// <param name="Entry">The cache entry.</param>
/// <param name="Result">Its <c>final.json</c>.</param>
/// <param name="Epochs">Its <c>metrics.jsonl</c>, one record per epoch in epoch order.</param>
public sealed record RestoredTeacher(CachedTeacher Entry, TrainingResult Result, IReadOnlyList<EpochMetrics> Epochs)
{
    /// <summary>"reused from DIR (sweep S, trial T)": what a sweep's output and report say about the teacher.</summary>
    public string Description
    {
        get
        {
            var source = Entry.Source;
            var parts = new[] { source?.Sweep is { } s ? $"sweep {s}" : null, source?.Trial is { } t ? $"trial {t}" : null, source?.Host is { } h ? $"on {h}" : null }
                .Where(p => p is not null);
            var origin = string.Join(", ", parts);
            return $"reused from {Entry.Directory}" + (origin.Length == 0 ? string.Empty : $" ({origin})");
        }
    }
}
