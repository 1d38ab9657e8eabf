using System.Collections.Immutable;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors.State;

/// <summary>One trial's state in the coordinator (an immutable value; <see cref="SweepState.Apply"/> makes the next).</summary>
public sealed record TrialState
{
    /// <summary>The trial.</summary>
    public required TrialSpec Spec { get; init; }

    /// <summary>Its status.</summary>
    public TrialStatus Status { get; init; } = TrialStatus.Pending;

    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; init; }

    /// <summary>Whether a pending trial was interrupted or cancelled before (its next attempt resumes a checkpoint).</summary>
    public bool Resumable { get; init; }

    /// <summary>The last sequence number applied for the current attempt.</summary>
    public int LastSequence { get; init; }

    /// <summary>Test top-1 by epoch (1-based), as reported; a resumed epoch overwrites its earlier report.</summary>
    public ImmutableSortedDictionary<int, double> Top1ByEpoch { get; init; } = ImmutableSortedDictionary<int, double>.Empty;

    /// <summary>Training loss of the last reported epoch.</summary>
    public double? LastTrainLoss { get; init; }

    /// <summary>Epochs completed (the highest epoch reported).</summary>
    public int EpochsCompleted => Top1ByEpoch.Count == 0 ? 0 : Top1ByEpoch.Keys.Max();

    /// <summary>The node (process, <c>host/pid</c>) the latest attempt was given to.</summary>
    public string? Node { get; init; }

    /// <summary>The device of the latest attempt.</summary>
    public string? Device { get; init; }

    /// <summary>When the first attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the current attempt started.</summary>
    public DateTimeOffset? AttemptStartedAt { get; init; }

    /// <summary>The time of the latest event.</summary>
    public DateTimeOffset? LastEventAt { get; init; }

    /// <summary>When it completed, failed or was cancelled.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Seconds spent running over the finished attempts (an interrupted attempt counts up to its last event).</summary>
    public double Seconds { get; init; }

    /// <summary>The completion summary, or null before completion.</summary>
    public Messages.TrialCompleted? Result { get; init; }

    /// <summary>Why it failed, or null.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the trial will not change any more (completed or failed).</summary>
    public bool IsFinal => Status is TrialStatus.Completed or TrialStatus.Failed;
}
