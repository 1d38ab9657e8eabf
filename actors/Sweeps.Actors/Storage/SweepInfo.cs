namespace Sweeps.Actors.Storage;

/// <summary>The sweep-level record of a store: the <c>sweep</c> object of <c>results.json</c> (docs/results-format.md).</summary>
public sealed record SweepInfo
{
    /// <summary>The sweep's name.</summary>
    public required string Name { get; init; }

    /// <summary>The sweep file as given to <c>sweeps run</c>.</summary>
    public required string File { get; init; }

    /// <summary>The dataset.</summary>
    public required string Dataset { get; init; }

    /// <summary>When the first run of the sweep started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the last run finished; null while running.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary><c>running</c>, <c>completed</c>, <c>cancelled</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The Sweeps source commit, or null outside a git checkout.</summary>
    public string? GitCommit { get; init; }

    /// <summary>Versions: <c>sweeps</c>, <c>libtorch</c>, <c>dotnet</c>.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();

    /// <summary>The devices of the slots.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>The host that ran it.</summary>
    public string Host { get; init; } = Environment.MachineName;
}
