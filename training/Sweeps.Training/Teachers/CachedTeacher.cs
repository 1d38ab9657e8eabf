namespace Sweeps.Training.Teachers;

/// <summary>
/// One entry of a <see cref="TeacherCache"/>: a folder named by its key holding <c>model.pt</c>, <c>final.json</c>,
/// <c>metrics.jsonl</c> (the trainer's files) and <c>teacher.json</c> (spec, source, time of publishing). An entry whose
/// <c>teacher.json</c> cannot be read has a <see cref="Problem"/> and no spec; it is listed so that it can be removed.
/// </summary>
public sealed record CachedTeacher
{
    /// <summary>The entry's key (its folder's name).</summary>
    public required string Key { get; init; }

    /// <summary>The entry's folder (full path).</summary>
    public required string Directory { get; init; }

    /// <summary>The teacher's spec; null when <see cref="Problem"/> is set.</summary>
    public TeacherSpec? Spec { get; init; }

    /// <summary>Where it was trained.</summary>
    public TeacherSource? Source { get; init; }

    /// <summary>When it was published to the cache (UTC).</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>Test top-1 after its last epoch (0..1), from <c>final.json</c>.</summary>
    public double? TestTop1 { get; init; }

    /// <summary>Bytes of its files together.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Why the entry cannot be used (unreadable <c>teacher.json</c>, a missing file); null when it is usable.</summary>
    public string? Problem { get; init; }

    /// <summary>The teacher's state dict (a teacher checkpoint for quantized trials).</summary>
    public string ModelPath => Path.Combine(Directory, Sweeps.Training.Training.Trainer.ModelFileName);

    /// <summary>The teacher's <c>final.json</c>.</summary>
    public string FinalPath => Path.Combine(Directory, Sweeps.Training.Training.Trainer.FinalFileName);

    /// <summary>The teacher's <c>metrics.jsonl</c>.</summary>
    public string MetricsPath => Path.Combine(Directory, Sweeps.Training.Training.Trainer.MetricsFileName);
}
