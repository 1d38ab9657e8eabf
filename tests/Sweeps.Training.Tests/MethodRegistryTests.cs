using Sweeps.Torch;
using Sweeps.Training.Methods;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>The method registry, the recipes of fp and qat, and top-k accuracy.</summary>
public sealed class MethodRegistryTests
{
    [Fact]
    public void Create_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.Create("sqakd-typo"));

        Assert.Contains("unknown method 'sqakd-typo'", e.Message, StringComparison.Ordinal);
        Assert.Contains("known methods: fp, qat, sqakd, mec-quant, fpq, cr", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Trainer(TrainerTestData.Options("unused", "nope", 1)));
    }

    [Fact]
    public void Create_FpAndQat_CarryTheirRecipesAndRequirements()
    {
        using var fp = MethodRegistry.Create("fp");
        using var qat = MethodRegistry.Create("qat");

        Assert.Equal(["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"], MethodRegistry.Names);
        Assert.Equal(new Recipe
        {
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, WeightDecay = 5e-4, Momentum = 0.9, Nesterov = true, BatchSize = 256,
        }, fp.Recipe);
        Assert.False(fp.Requirements.QuantizedStudent);
        Assert.False(fp.Requirements.StudentFromTeacher);
        Assert.Equal(MethodInput.Labeled, fp.Input);
        Assert.Equal(new Recipe
        {
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, WeightDecay = 1e-4, QuantizerLearningRate = 1e-5, QuantizerWeightDecay = 0, BatchSize = 256,
        }, qat.Recipe);
        Assert.True(qat.Requirements.QuantizedStudent);
        Assert.True(qat.Requirements.StudentFromTeacher);
        Assert.False(qat.Requirements.FrozenTeacher);
        Assert.Equal(10, qat.Recipe.EwgsDeltaInterval);
        Assert.Equal(3, qat.Recipe.EwgsDeltaBatches);
    }

    [Theory]
    [InlineData("sqakd", MethodInput.Unlabeled, true, false)]
    [InlineData("mec-quant", MethodInput.Labeled, false, true)]
    [InlineData("fpq", MethodInput.Labeled, true, true)]
    [InlineData("cr", MethodInput.TwoView, false, true)]
    public void Create_NewMethods_StudentsOfTheTeacherWithTheStudentRecipe(string name, MethodInput input, bool frozenTeacher, bool reconstruction)
    {
        using var method = MethodRegistry.Create(name);

        Assert.Equal(name, method.Name);
        Assert.Equal(input, method.Input);
        Assert.True(method.Requirements.QuantizedStudent);
        Assert.True(method.Requirements.StudentFromTeacher);
        Assert.Equal(frozenTeacher, method.Requirements.FrozenTeacher);
        Assert.Equal(reconstruction, method.IsReconstruction);
        Assert.Equal(reconstruction, method.Summary.StartsWith("reconstruction:", StringComparison.Ordinal));
        var expected = name == "mec-quant" ? Recipe.QuantizedStudent with { MethodLearningRate = 1e-3 } : Recipe.QuantizedStudent;
        Assert.Equal(expected, method.Recipe);
        Assert.Equal(OptimizerKind.Adam, method.Recipe.Optimizer);
        Assert.Equal(1e-3, method.Recipe.LearningRate);
        Assert.Equal(1e-5, method.Recipe.QuantizerLearningRate);
        Assert.Empty(method.ExtraParameters);
    }

    [Fact]
    public void Descriptions_EveryMethod_NamesTheReconstructionsAndTheLossTerms()
    {
        Assert.Equal(MethodRegistry.Names, MethodRegistry.Descriptions.Select(d => d.Name));
        Assert.Equal(["mec-quant", "fpq", "cr"], MethodRegistry.Descriptions.Where(d => d.IsReconstruction).Select(d => d.Name));
        Assert.All(MethodRegistry.Descriptions, d => Assert.Contains("loss terms: ", d.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public void Correct_HandMadeLogits_CountsTopKHits()
    {
        using var scope = DisposeScope.Enter();
        // Per row, classes ranked by logit: row 0: 2,0,1,3,4,5; row 1: 5,4,3,2,1,0; row 2: 0,1,2,3,4,5; row 3: 3,1,...
        var logits = Tensor.From(new float[]
        {
            0.5f, 0.1f, 0.9f, 0.0f, -1f, -2f,
            0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f,
            6f, 5f, 4f, 3f, 2f, 1f,
            0f, 2f, -1f, 3f, -2f, -3f,
        }, 4, 6);
        var labels = Tensor.From(new long[] { 2, 3, 5, 1 }, 4);

        // top-1: row 0 only. top-2: + row 3. top-3: + row 1 (rank 3). top-5: rows 0, 1, 3 (row 2's label ranks 6th).
        Assert.Equal(1, Accuracy.Correct(logits, labels, 1));
        Assert.Equal(2, Accuracy.Correct(logits, labels, 2));
        Assert.Equal(3, Accuracy.Correct(logits, labels, 3));
        Assert.Equal(3, Accuracy.Correct(logits, labels, 5));
        Assert.Equal(4, Accuracy.Correct(logits, labels, 6));
        Assert.Equal(4, Accuracy.Correct(logits, labels, 10));
    }
}
