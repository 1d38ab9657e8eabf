using Sweeps.Actors.Planning;

namespace Sweeps.Cluster.Tests;

/// <summary>The run options of a sweep of sleeping trials only (no model, no method) on the <c>cpu</c> device, as the
/// host tests run it.</summary>
internal static class SleepingSweep
{
    /// <summary>Sweep <paramref name="name"/> of <paramref name="trials"/> trials sleeping <paramref name="ms"/> ms each,
    /// <paramref name="slots"/> slots on <c>cpu</c>, results in <paramref name="output"/>.</summary>
    public static SweepRunOptions Options(string name, string output, int trials, int ms, int slots = 1) => new()
    {
        Definition = new SweepDefinition
        {
            Name = name, Dataset = "synthetic", Models = [], Methods = [], Bits = [], Seeds = [0], TeacherEpochs = 1, StudentEpochs = 1,
            Devices = ["cpu"], TrialsPerDevice = slots, SleepTrials = trials, SleepMilliseconds = ms,
        },
        SweepFile = $"{name}.yaml",
        SweepText = $"name: {name}\n",
        OutputDirectory = output,
        Devices = ["cpu"],
        Versions = new Dictionary<string, string> { ["sweeps"] = "test" },
    };
}
