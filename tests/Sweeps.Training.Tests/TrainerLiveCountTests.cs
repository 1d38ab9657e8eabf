using Sweeps.Torch;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>The trainer leaks no tensors, in channels-last and in NCHW: every step leaves the live count where the
/// previous one left it, and a whole run (checkpoints and evaluation included) returns to the count before it.</summary>
[Collection(LiveTensorCollection.Name)]
public sealed class TrainerLiveCountTests(TinyTeacherFixture teacher) : IClassFixture<TinyTeacherFixture>
{
    [Theory]
    [InlineData("fp", true)]
    [InlineData("qat", true)]
    [InlineData("sqakd", true)]
    [InlineData("mec-quant", true)]
    [InlineData("fpq", true)]
    [InlineData("cr", true)]
    [InlineData("fp", false)]
    [InlineData("qat", false)]
    [InlineData("sqakd", false)]
    [InlineData("mec-quant", false)]
    [InlineData("fpq", false)]
    [InlineData("cr", false)]
    public void Run_TrainingSteps_LeaveLiveCountUnchanged(string method, bool channelsLast)
    {
        using var dir = new TempDirectory();
        var counts = new List<(long Managed, long Native)>();
        var options = TrainerTestData.Options(dir.Path, method, epochs: 2, trainLimit: 48) with
        {
            Prefetch = 0, TeacherCheckpoint = teacher.ModelPath, EwgsDeltaUpdate = false, ChannelsLast = channelsLast,
        };
        var before = (Tensor.LiveCount, Sweeps.Torch.Torch.LiveNativeTensors);

        TrainerTestData.Trainer(options, new TrainingCallbacks { Step = _ => counts.Add((Tensor.LiveCount, Sweeps.Torch.Torch.LiveNativeTensors)) }).Run();

        Assert.Equal(6, counts.Count);
        // The first step creates the optimizer's state (inside the optimizer, not Tensor objects) and initialises the
        // quantizers; later steps add nothing.
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));
        Assert.Equal(before, (Tensor.LiveCount, Sweeps.Torch.Torch.LiveNativeTensors));
    }
}
