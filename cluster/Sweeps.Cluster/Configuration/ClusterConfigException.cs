namespace Sweeps.Cluster.Configuration;

/// <summary>
/// A cluster configuration that cannot be used. The message names where the value came from (the file
/// and line, an environment variable or a flag), the field, and what was expected; never a password.
/// </summary>
public sealed class ClusterConfigException : Exception
{
    /// <summary>An error in <paramref name="field"/>, whose value came from <paramref name="origin"/>.</summary>
    public ClusterConfigException(string origin, string field, string problem)
        : base($"{origin}: {field}: {problem}")
    {
        Origin = origin;
        Field = field;
        Problem = problem;
    }

    /// <summary>An error without a field.</summary>
    public ClusterConfigException()
        : this("(cluster config)", "(file)", "invalid cluster configuration")
    {
    }

    /// <summary>An error without a field.</summary>
    public ClusterConfigException(string message)
        : this("(cluster config)", "(file)", message)
    {
    }

    /// <summary>An error without a field, with its cause.</summary>
    public ClusterConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Origin = "(cluster config)";
        Field = "(file)";
        Problem = message;
    }

    /// <summary>Where the bad value came from: <c>file:line</c>, <c>environment variable NAME</c> or <c>flag --set KEY</c>.</summary>
    public string Origin { get; }

    /// <summary>The field, as a dotted path (<c>broker.port</c>).</summary>
    public string Field { get; }

    /// <summary>What is wrong and what was expected.</summary>
    public string Problem { get; }
}
