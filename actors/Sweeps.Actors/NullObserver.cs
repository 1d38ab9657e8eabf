namespace Sweeps.Actors;

/// <summary>An observer that ignores everything.</summary>
public sealed class NullObserver : ISweepObserver
{
    /// <summary>The one instance.</summary>
    public static NullObserver Instance { get; } = new();
}
