namespace Sweeps.Training.Training;

/// <summary>
/// A run failed for a reason of its own (a loss term became NaN or infinite). The checkpoint of the last completed
/// epoch stays as it was, and <c>final.json</c> records the failure with the reason.
/// </summary>
public sealed class TrainingFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingFailedException()
        : this("training failed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public TrainingFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a non-finite loss term.</summary>
    /// <param name="epoch">The epoch, 1-based.</param>
    /// <param name="step">The step within the epoch, 1-based.</param>
    /// <param name="term">The loss term's name (<c>total</c> for the sum).</param>
    /// <param name="value">The value.</param>
    public TrainingFailedException(int epoch, int step, string term, double value)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss term '{term}' is {value} at epoch {epoch}, step {step}"))
    {
        Epoch = epoch;
        Step = step;
        Term = term;
    }

    /// <summary>The epoch of the failure (1-based), or 0 when not tied to a step.</summary>
    public int Epoch { get; }

    /// <summary>The step of the failure within its epoch (1-based), or 0.</summary>
    public int Step { get; }

    /// <summary>The loss term that was not finite, or null.</summary>
    public string? Term { get; }
}
