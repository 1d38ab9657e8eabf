namespace Sweeps.Actors;

/// <summary>What a <see cref="SweepCoordinator"/> needs to know besides its trials.</summary>
public sealed record CoordinatorOptions
{
    /// <summary>The sweep's name.</summary>
    public required string Sweep { get; init; }

    /// <summary>The sweep's output folder (absolute); trial <c>id</c> writes to <c>trials/id</c> under it.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The dataset's folder, or null for its default.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Training subset size, or null.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Test subset size, or null.</summary>
    public int? TestLimit { get; init; }

    /// <summary>The folder of trial <paramref name="id"/>.</summary>
    public string TrialDirectory(string id) => Path.Combine(OutputDirectory, "trials", id);
}
