namespace Sweeps.Training.Tests;

/// <summary>Tests that change process-wide environment variables: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
