namespace Sweeps.Actors.Planning;

/// <summary>What a trial does when it runs.</summary>
public enum TrialKind
{
    /// <summary>Trains one model with one method through the trainer.</summary>
    Train,

    /// <summary>Only sleeps for <see cref="TrialSpec.SleepMilliseconds"/> (tests and the orchestration benchmark; not a method).</summary>
    Sleep,
}
