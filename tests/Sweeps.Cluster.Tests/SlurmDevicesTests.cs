using Sweeps.Cluster.Slurm;

namespace Sweeps.Cluster.Tests;

public sealed class SlurmDevicesTests
{
    [Fact]
    public void FromEnvironment_CudaVisibleDevices_OneSlotPerVisibleGpuNumberedFromZero()
    {
        var devices = SlurmDevices.FromEnvironment(Env(("CUDA_VISIBLE_DEVICES", "2,3,5"), ("SLURM_GPUS_ON_NODE", "3"), ("SLURM_CPUS_ON_NODE", "48")), 64);

        Assert.Equal(["cuda:0", "cuda:1", "cuda:2"], devices);
    }

    [Fact]
    public void FromEnvironment_GpuUuids_CountedLikeIndices()
    {
        var devices = SlurmDevices.FromEnvironment(Env(("CUDA_VISIBLE_DEVICES", "GPU-8f0a1c2e-aaaa,GPU-1b2c3d4e-bbbb")), 8);

        Assert.Equal(["cuda:0", "cuda:1"], devices);
    }

    [Fact]
    public void FromEnvironment_GpusOnNodeWithoutCudaVisibleDevices_UsesTheCount()
    {
        var devices = SlurmDevices.FromEnvironment(Env(("SLURM_GPUS_ON_NODE", "4"), ("SLURM_CPUS_ON_NODE", "32")), 64);

        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3"], devices);
    }

    [Theory]
    [InlineData("NoDevFiles")]
    [InlineData("")]
    public void FromEnvironment_NoGpuOnACpuPartition_OneCpuSlotPerAllocatedCpu(string visible)
    {
        var devices = SlurmDevices.FromEnvironment(Env(("CUDA_VISIBLE_DEVICES", visible), ("SLURM_GPUS_ON_NODE", "0"), ("SLURM_CPUS_ON_NODE", "3")), 64);

        Assert.Equal(["cpu", "cpu", "cpu"], devices);
    }

    [Fact]
    public void FromEnvironment_NothingFromSlurm_OneCpuSlotPerProcessor()
    {
        Assert.Equal(["cpu", "cpu"], SlurmDevices.FromEnvironment(Env(), 2));
        Assert.Equal(["cpu"], SlurmDevices.FromEnvironment(Env(), 0));
    }

    [Fact]
    public void FromEnvironment_CountThatIsNotANumber_NamesTheVariableAndValue()
    {
        var error = Assert.Throws<FormatException>(() => SlurmDevices.FromEnvironment(Env(("SLURM_GPUS_ON_NODE", "four")), 8));

        Assert.Contains("SLURM_GPUS_ON_NODE='four'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a count", error.Message, StringComparison.Ordinal);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }
}
