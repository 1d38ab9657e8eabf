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

    /// <summary>Image folders: the image size, or null for the images' own.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Image folders: whether unreadable images are skipped.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Training subset size, or null.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Test subset size, or null.</summary>
    public int? TestLimit { get; init; }

    /// <summary>
    /// Where trial folders (checkpoints) go when not under <see cref="OutputDirectory"/>: a folder every worker
    /// reads at the same path (cluster mode). Null: <see cref="OutputDirectory"/>.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Whether the <see cref="SweepCoordinator"/> requeues at its start (as a new attempt) the trials the store shows
    /// running (cancelled trials are requeued either way). True in embedded mode, where a restart means every trial
    /// stopped. False in cluster mode: a slot may still hold it; the coordinator gives nothing out until the slots of
    /// the nodes that ran such trials said what they hold (at most <see cref="SweepActorSettings.ClaimTimeout"/>), and
    /// requeues the ones no slot holds.
    /// </summary>
    public bool RequeueRunningOnStart { get; init; } = true;

    /// <summary>The folder of trial <paramref name="id"/>.</summary>
    public string TrialDirectory(string id) => Path.Combine(CheckpointDirectory ?? OutputDirectory, "trials", id);
}
