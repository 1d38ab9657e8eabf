namespace Sweeps.Training.Data;

/// <summary>
/// A dataset could not be read: a directory or file is missing, or a file's contents are not what
/// its format requires. The message names the file (full path) and what was expected and found.
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public DatasetException()
        : base("the dataset could not be read")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    public DatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the error that caused it.</summary>
    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about one file or directory; <see cref="Path"/> is set to its full path.</summary>
    /// <param name="path">The file or directory concerned (made absolute).</param>
    /// <param name="problem">What is wrong, with what was expected and what was found.</param>
    /// <param name="innerException">The error that caused it, if any.</param>
    public DatasetException(string path, string problem, Exception? innerException)
        : base($"{System.IO.Path.GetFullPath(path)}: {problem}", innerException)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The full path of the file or directory concerned, when the error is about one.</summary>
    public string? Path { get; }
}
