namespace Sweeps.Reports;

/// <summary>results.json's <c>sweep</c> object.</summary>
internal sealed record SweepInfo
{
    public required string Name { get; init; }

    public string? File { get; init; }

    public string? Dataset { get; init; }

    public string? StartedAt { get; init; }

    public string? FinishedAt { get; init; }

    public string? Status { get; init; }

    public string? GitCommit { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Versions { get; init; }

    public required IReadOnlyList<string> Devices { get; init; }

    public string? Host { get; init; }
}
