namespace Sweeps.Cli.Tests.Slurm;

/// <summary>The tests that share one test Slurm; they run one after another (one node, its CPUs are the slots).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SlurmCollection : ICollectionFixture<SlurmFixture>
{
    public const string Name = "Slurm";
}
