namespace Sweeps.Actors.Messages;

/// <summary>From a worker's host to its slots when the worker stops (SIGTERM): stop the running trial at its next step
/// without reporting it (its last epoch checkpoint stays) and take no more work. The coordinator requeues the trial
/// when the node has left the cluster (DeathWatch), and another slot resumes it. Local only (never serialized).</summary>
public sealed record HandBack
{
    /// <summary>The message.</summary>
    public static HandBack Instance { get; } = new();
}
