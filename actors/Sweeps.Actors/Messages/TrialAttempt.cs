namespace Sweeps.Actors.Messages;

/// <summary>One attempt of a trial: what a slot holds, or what the coordinator stops.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Attempt">The attempt (from 1).</param>
public readonly record struct TrialAttempt(string TrialId, int Attempt)
{
    /// <inheritdoc/>
    public override string ToString() => $"{TrialId} attempt {Attempt}";
}
