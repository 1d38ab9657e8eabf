using Sweeps.Torch.Tests;

namespace Sweeps.Training.Tests;

/// <summary>The models against the same architectures built in PyTorch 1.13 (reference/models.py).</summary>
public sealed class ModelReferenceTests(ModelReferenceFixture fixture) : IClassFixture<ModelReferenceFixture>
{
    public static TheoryData<int> ConfigIndices()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ModelReferenceFixture.Configs.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void StateDict_EachModel_KeysOrderAndShapesEqualPyTorch(int index)
    {
        var expected = fixture.Reference[index].GetProperty("keys").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(", ", e[1].EnumerateArray().Select(d => d.GetInt64()))}]")
            .ToList();
        var actual = fixture.Results[index].Keys.Select(k => $"{k.Key} [{string.Join(", ", k.Shape)}]").ToList();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void ModelSize_EachModel_CountsEqualPyTorch(int index)
    {
        var reference = fixture.Reference[index];
        Assert.Equal(reference.GetProperty("param_count").GetInt64(), fixture.Results[index].ParameterCount);
        Assert.Equal(reference.GetProperty("weight_count").GetInt64(), fixture.Results[index].WeightCount);
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Create_SameSeedAsTorchManualSeed_InitialParametersEqualPyTorch(int index)
    {
        var expected = fixture.Reference[index].GetProperty("init_sums");
        var actual = fixture.Results[index].InitSums;
        Assert.Equal(expected.EnumerateObject().Count(), actual.Count);
        foreach (var p in expected.EnumerateObject())
        {
            TestAssert.Close([p.Value.GetDouble()], [actual[p.Name]], rtol: 1e-4, atol: 1e-4, what: p.Name);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void ForwardWithFeatures_EvalModeLoadedWeights_EqualsPyTorch(int index)
    {
        var config = ModelReferenceFixture.Configs[index];
        var reference = fixture.Reference[index].GetProperty("eval");
        var result = fixture.Results[index];
        Assert.Equal([2L, config.Classes], result.LogitsShape);
        Assert.Equal([2L, config.Name.StartsWith("resnet", StringComparison.Ordinal) ? 64 : 256], result.FeaturesShape);
        TestAssert.Close(PythonReference.Doubles(reference.GetProperty("logits")), result.EvalLogits, rtol: 1e-4, atol: 1e-4, what: "logits");
        TestAssert.Close(PythonReference.Doubles(reference.GetProperty("features")), result.Features, rtol: 1e-4, atol: 1e-4, what: "features");
        var stages = reference.GetProperty("stages").EnumerateArray().ToArray();
        Assert.Equal(3, stages.Length);
        Assert.Equal(stages.Length, result.Stages.Count);
        for (var s = 0; s < stages.Length; s++)
        {
            var (shape, values) = result.Stages[s];
            Assert.Equal(stages[s].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), shape);
            var head = PythonReference.Doubles(stages[s].GetProperty("head"));
            TestAssert.Close(head, values.Take(head.Length).ToArray(), rtol: 1e-4, atol: 1e-4, what: $"stage {s} head");
            TestAssert.Close([stages[s].GetProperty("sum").GetDouble()], [values.Sum()], rtol: 1e-4, atol: 1e-2, what: $"stage {s} sum");
            TestAssert.Close([stages[s].GetProperty("sumsq").GetDouble()], [values.Sum(v => v * v)], rtol: 1e-4, atol: 1e-2, what: $"stage {s} sum of squares");
        }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Forward_TrainingModeLoadedWeights_LogitsAndUpdatedStatisticsEqualPyTorch(int index)
    {
        var reference = fixture.Reference[index];
        var result = fixture.Results[index];
        TestAssert.Close(PythonReference.Doubles(reference.GetProperty("train_logits")), result.TrainLogits, rtol: 1e-4, atol: 1e-4, what: "train logits");
        var state = reference.GetProperty("train_state");
        Assert.Equal(state.EnumerateObject().Count(), result.TrainState.Count);
        foreach (var entry in state.EnumerateObject())
        {
            TestAssert.Close([entry.Value.GetDouble()], [result.TrainState[entry.Name]], rtol: 1e-4, atol: 1e-4, what: entry.Name);
        }

        // Two training-mode passes (one before saving, one after): the first BN counted both.
        var key = (ModelReferenceFixture.Configs[index].Name.StartsWith("resnet", StringComparison.Ordinal) ? "bn1" : "layer1.1") + ".num_batches_tracked";
        Assert.Equal(2, state.GetProperty(key).GetDouble());
        Assert.Equal(2, result.TrainState[key]);
    }
}
