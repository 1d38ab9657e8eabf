namespace Sweeps.Reports;

/// <summary>The sweep folder cannot be reported on: a missing or malformed results.json (the message names the file,
/// the field and what was expected), or an output file that cannot be written.</summary>
public sealed class ReportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReportException()
    {
    }

    /// <summary>Creates the exception with a message that names the file and what was expected.</summary>
    public ReportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public ReportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
