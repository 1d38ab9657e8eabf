using Sweeps.Torch.Tests;
using Xunit.Abstractions;

namespace Sweeps.Training.Tests;

/// <summary>resnet18 and mobilenetv2 against torchvision 0.14's models (reference/torchvision_models.py): the same
/// state-dict keys and shapes, the same initialisation for the same seed, and the same eval-mode logits (max abs
/// difference at most 1e-4) with state dicts going both ways.</summary>
public sealed class TorchvisionModelTests(TorchvisionReferenceFixture fixture, ITestOutputHelper output) : IClassFixture<TorchvisionReferenceFixture>
{
    private const double LogitTolerance = 1e-4;

    public static TheoryData<int> ConfigIndices()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < TorchvisionReferenceFixture.Configs.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void StateDict_EachModel_KeysOrderAndShapesEqualTorchvision(int index)
    {
        var expected = fixture.Reference[index].GetProperty("keys").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(", ", e[1].EnumerateArray().Select(d => d.GetInt64()))}]")
            .ToList();
        var actual = fixture.Ours[index].Keys.Select(k => $"{k.Key} [{string.Join(", ", k.Shape)}]").ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(fixture.Reference[index].GetProperty("param_count").GetInt64(), fixture.Ours[index].ParameterCount);
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Create_SameSeedAsTorchManualSeed_InitialParametersEqualTorchvision(int index)
    {
        var expected = fixture.Reference[index].GetProperty("init_sums");
        var actual = fixture.Ours[index].InitSums;
        Assert.Equal(expected.EnumerateObject().Count(), actual.Count);
        foreach (var p in expected.EnumerateObject())
        {
            TestAssert.Close([p.Value.GetDouble()], [actual[p.Name]], rtol: 1e-4, atol: 1e-4, what: p.Name);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Forward_OursLoadedIntoTorchvision_EvalLogitsAgree(int index)
    {
        var config = TorchvisionReferenceFixture.Configs[index];
        Assert.Equal([2L, config.Classes], fixture.Ours[index].LogitsShape);
        var torchvision = PythonReference.Doubles(fixture.Reference[index].GetProperty("ours_logits"));
        AssertLogits(config, "ours -> torchvision", torchvision, fixture.Ours[index].EvalLogits);
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Forward_TorchvisionLoadedIntoOurs_EvalLogitsAgree(int index)
    {
        var config = TorchvisionReferenceFixture.Configs[index];
        var torchvision = PythonReference.Doubles(fixture.Reference[index].GetProperty("tv_logits"));
        AssertLogits(config, "torchvision -> ours", torchvision, fixture.TorchvisionInOurs[index]);
    }

    private void AssertLogits(TorchvisionReferenceFixture.Config config, string direction, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        var scale = expected.Max(Math.Abs);
        output.WriteLine($"{config.Name} {config.Size}x{config.Size} {direction}: max |logit| {scale:G4}, max abs diff {maxDiff:E2}");

        // Logits of a different scale would make the bound meaningless: they are O(0.1 .. 100) here.
        Assert.InRange(scale, 1e-2, 1e3);
        Assert.True(maxDiff <= LogitTolerance, $"{config.Name} {direction}: max abs diff {maxDiff:E3} > {LogitTolerance:E0}");
    }
}
