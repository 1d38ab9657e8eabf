namespace Sweeps.Actors.State;

/// <summary>An event that the trial's current state does not allow (e.g. Completed after Completed, an epoch of an
/// older attempt, an unknown trial).</summary>
public sealed class InvalidTransitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidTransitionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidTransitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public InvalidTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
