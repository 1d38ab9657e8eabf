namespace Sweeps.Actors.Planning;

/// <summary>
/// A sweep file that cannot be used. The message reads like a compiler's: <c>file:line:column: field: problem</c>
/// (<c>file:line:column: problem</c> for a YAML syntax error, <c>file: problem</c> when the file as a whole is wrong),
/// so that editors and terminals can jump to the place.
/// </summary>
public sealed class SweepFileException : Exception
{
    /// <summary>An error at <paramref name="line"/>:<paramref name="column"/> of <paramref name="file"/>, in
    /// <paramref name="field"/> (null for a syntax error or the file as a whole).</summary>
    public SweepFileException(string file, int line, int column, string? field, string problem)
        : base(Format(file, line, column, field, problem))
    {
        File = file;
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    /// <summary>An error without a position.</summary>
    public SweepFileException()
        : this("(sweep file)", 0, 0, null, "invalid sweep file")
    {
    }

    /// <summary>An error without a position.</summary>
    public SweepFileException(string message)
        : this("(sweep file)", 0, 0, null, message)
    {
    }

    /// <summary>An error without a position, with its cause.</summary>
    public SweepFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "(sweep file)";
        Problem = message;
    }

    /// <summary>The sweep file as it was named.</summary>
    public string File { get; }

    /// <summary>1-based line of the problem (0 when the file as a whole is wrong).</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem (0 when the file as a whole is wrong).</summary>
    public int Column { get; }

    /// <summary>The field (key) in error, e.g. <c>limit</c> or <c>epochs.teacher</c>; null for a YAML syntax error or
    /// a problem of the file as a whole.</summary>
    public string? Field { get; }

    /// <summary>What is wrong and what was expected.</summary>
    public string Problem { get; }

    private static string Format(string file, int line, int column, string? field, string problem)
    {
        var where = line <= 0 ? file : column <= 0 ? $"{file}:{line}" : $"{file}:{line}:{column}";
        return field is null ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
