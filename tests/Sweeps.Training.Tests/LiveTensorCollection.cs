namespace Sweeps.Training.Tests;

/// <summary>Tests that count live tensors: they run alone, never beside tests that create tensors.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTensorCollection
{
    public const string Name = "Live tensor count";
}
