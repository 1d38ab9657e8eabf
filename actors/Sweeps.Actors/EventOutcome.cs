namespace Sweeps.Actors;

/// <summary>What the coordinator did with an event it received.</summary>
public enum EventOutcome
{
    /// <summary>Recorded in the store and applied.</summary>
    Recorded,

    /// <summary>Already recorded (same trial, attempt, sequence): nothing changed.</summary>
    Duplicate,

    /// <summary>Not allowed in the trial's state (e.g. from an older attempt): nothing changed.</summary>
    Rejected,
}
