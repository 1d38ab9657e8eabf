namespace Sweeps.Monitoring.Tests;

/// <summary>Tests that measure this process's CPU time: they run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
