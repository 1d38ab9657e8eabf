namespace Sweeps.Training.Teachers;

/// <summary>Where a cached teacher was trained: shown when a sweep reuses it.</summary>
public sealed record TeacherSource
{
    /// <summary>The folder the teacher trained in (its trial folder), as a full path.</summary>
    public required string Directory { get; init; }

    /// <summary>The sweep that trained it, if any.</summary>
    public string? Sweep { get; init; }

    /// <summary>The trial that trained it, if any.</summary>
    public string? Trial { get; init; }

    /// <summary>The machine it trained on.</summary>
    public string? Host { get; init; }

    /// <summary>"trial T of sweep S (DIR) on HOST", leaving out what is unknown.</summary>
    public override string ToString()
    {
        var what = (Trial, Sweep) switch
        {
            ({ } t, { } s) => $"trial {t} of sweep {s}",
            ({ } t, null) => $"trial {t}",
            (null, { } s) => $"sweep {s}",
            _ => "a run",
        };
        return $"{what} ({Directory}){(Host is null ? "" : " on " + Host)}";
    }
}
