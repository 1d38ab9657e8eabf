namespace Sweeps.Training.Training;

/// <summary>The small JSON part of a checkpoint (<c>checkpoint/state.json</c>).</summary>
internal sealed record CheckpointState
{
    /// <summary>Format version of this file.</summary>
    public int Format { get; init; } = 1;

    /// <summary>Epochs completed (the run continues with epoch index <c>Epoch</c>, 0-based).</summary>
    public required int Epoch { get; init; }

    /// <summary>The learning-rate scheduler's position (optimizer steps done).</summary>
    public required long SchedulerPosition { get; init; }

    /// <summary>The run's configuration; a resume with another one is refused.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The method's name.</summary>
    public required string Method { get; init; }

    /// <summary>EWGS delta of every EWGS quantizer by name.</summary>
    public required Dictionary<string, double> EwgsDeltas { get; init; }

    /// <summary>Test top-1 of every completed epoch, in order.</summary>
    public required List<double> TestTop1History { get; init; }
}
