namespace Sweeps.Cli.Tests.Slurm;

/// <summary>One test Slurm shared by the tests of <see cref="SlurmCollection"/> (started once, stopped after the last).</summary>
public sealed class SlurmFixture : IAsyncLifetime
{
    private SlurmTestCluster? _cluster;

    internal SlurmTestCluster Cluster => _cluster ?? throw new InvalidOperationException("the Slurm test cluster did not start");

    public async Task InitializeAsync() => _cluster = await SlurmTestCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
