namespace Sweeps.Actors.Planning;

/// <summary>A sweep file that cannot be used; the message names the file, the line and the field.</summary>
public sealed class SweepFileException : Exception
{
    /// <summary>An error at <paramref name="line"/> of <paramref name="file"/>, in <paramref name="field"/>.</summary>
    public SweepFileException(string file, int line, string field, string problem)
        : base($"{file}:{line}: {field}: {problem}")
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>An error without a position.</summary>
    public SweepFileException()
        : this("(sweep file)", 0, "(file)", "invalid sweep file")
    {
    }

    /// <summary>An error without a position.</summary>
    public SweepFileException(string message)
        : this("(sweep file)", 0, "(file)", message)
    {
    }

    /// <summary>An error without a position, with its cause.</summary>
    public SweepFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "(sweep file)";
        Field = "(file)";
        Problem = message;
    }

    /// <summary>The sweep file as it was named.</summary>
    public string File { get; }

    /// <summary>1-based line of the problem (0 when the file as a whole is wrong).</summary>
    public int Line { get; }

    /// <summary>The field (key) in error.</summary>
    public string Field { get; }

    /// <summary>What is wrong and what was expected.</summary>
    public string Problem { get; }
}
