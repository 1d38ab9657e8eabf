using Sweeps.Torch.Optim;

namespace Sweeps.Torch.Tests;

public sealed class OptimTests : IDisposable
{
    private readonly DisposeScope _scope = DisposeScope.Enter();
    private readonly string _folder = Directory.CreateTempSubdirectory("sweeps-optim-").FullName;

    public static TheoryData<string> Configs => new(OptimProblem.Configs);

    public void Dispose()
    {
        _scope.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Step_TwoGroupsFiveSteps_MatchesPyTorchTrajectory(string config)
    {
        var expected = OptimProblem.Reference.GetProperty(config).EnumerateArray().Select(PythonReference.Doubles).ToArray();
        var ps = OptimProblem.Parameters();
        using var optimizer = OptimProblem.Create(config, ps);
        for (var step = 0; step < OptimProblem.Steps; step++)
        {
            OptimProblem.TrainStep(optimizer, ps);
            TestAssert.Close(expected[step], OptimProblem.Flat(ps), rtol: 1e-5, atol: 1e-6, what: $"{config} step {step + 1}");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Load_AfterThreeSteps_ContinuesExactlyLikeFiveStraightSteps(string config)
    {
        var straight = OptimProblem.Parameters();
        using (var optimizer = OptimProblem.Create(config, straight))
        {
            for (var step = 0; step < OptimProblem.Steps; step++)
            {
                OptimProblem.TrainStep(optimizer, straight);
            }
        }

        var first = OptimProblem.Parameters();
        var path = Path.Combine(_folder, $"{config}.optim");
        using (var optimizer = OptimProblem.Create(config, first))
        {
            for (var step = 0; step < 3; step++)
            {
                OptimProblem.TrainStep(optimizer, first);
            }

            optimizer.Save(path);
        }

        var resumed = OptimProblem.CopiesOf(first);
        using (var optimizer = OptimProblem.Create(config, resumed))
        {
            optimizer.Load(path);
            OptimProblem.TrainStep(optimizer, resumed);
            OptimProblem.TrainStep(optimizer, resumed);
        }

        // Without the saved state (fresh moments / step counts) the continuation differs: the
        // comparison above is not trivially true.
        var fresh = OptimProblem.CopiesOf(first);
        using (var optimizer = OptimProblem.Create(config, fresh))
        {
            OptimProblem.TrainStep(optimizer, fresh);
            OptimProblem.TrainStep(optimizer, fresh);
        }

        Assert.Equal(OptimProblem.Flat(straight), OptimProblem.Flat(resumed));
        Assert.NotEqual(OptimProblem.Flat(straight), OptimProblem.Flat(fresh));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp*"));
    }

    [Fact]
    public void Load_DifferentGroupLayout_ThrowsTorchExceptionNamingFile()
    {
        var ps = OptimProblem.Parameters();
        var path = Path.Combine(_folder, "adam.optim");
        using (var optimizer = OptimProblem.Create("adam", ps))
        {
            OptimProblem.TrainStep(optimizer, ps);
            optimizer.Save(path);
        }

        using var oneGroup = new Adam(OptimProblem.CopiesOf(ps), new AdamOptions());
        var ex = Assert.Throws<TorchException>(() => oneGroup.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("parameter groups", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingOrCorruptFile_ThrowsNamingFile()
    {
        using var optimizer = new Sgd(OptimProblem.Parameters(), new SgdOptions(0.1));
        var missing = Path.Combine(_folder, "missing.optim");
        var notFound = Assert.Throws<FileNotFoundException>(() => optimizer.Load(missing));
        Assert.Contains(missing, notFound.Message, StringComparison.Ordinal);

        var corrupt = Path.Combine(_folder, "corrupt.optim");
        File.WriteAllText(corrupt, "not an archive");
        var ex = Assert.Throws<TorchException>(() => optimizer.Load(corrupt));
        Assert.Contains(corrupt, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_MissingFolder_ThrowsDirectoryNotFound()
    {
        using var optimizer = new Sgd(OptimProblem.Parameters(), new SgdOptions(0.1));
        Assert.Throws<DirectoryNotFoundException>(() => optimizer.Save(Path.Combine(_folder, "no", "such", "x.optim")));
    }

    [Fact]
    public void ZeroGrad_SetToNone_GradIsNull()
    {
        var ps = OptimProblem.Parameters();
        using var optimizer = new Sgd(ps, new SgdOptions(0.1));
        OptimProblem.Loss(ps).Backward();
        Assert.All(ps, p => Assert.NotNull(p.Grad));
        optimizer.ZeroGrad();
        Assert.All(ps, p => Assert.Null(p.Grad));
    }

    [Fact]
    public void ZeroGrad_NotSetToNone_ZeroesGradAndNextBackwardDoesNotAccumulate()
    {
        var ps = OptimProblem.Parameters();
        using var optimizer = new Sgd(ps, new SgdOptions(0.1));
        OptimProblem.Loss(ps).Backward();
        var once = ps[2].Grad!.ToArray<float>();
        Assert.Contains(once, g => g != 0);
        optimizer.ZeroGrad(setToNone: false);
        Assert.All(ps, p => Assert.All(p.Grad!.ToArray<float>(), g => Assert.Equal(0f, g)));
        OptimProblem.Loss(ps).Backward();
        Assert.Equal(once, ps[2].Grad!.ToArray<float>());

        // Without clearing, a second backward adds up (the check above can fail).
        OptimProblem.Loss(ps).Backward();
        Assert.Equal(once.Select(g => 2 * g).ToArray(), ps[2].Grad!.ToArray<float>());
    }

    [Fact]
    public void LearningRate_PerGroupOverrides_AreReadAndSet()
    {
        var ps = OptimProblem.Parameters();
        using var optimizer = new Adam(
            [new ParamGroup([ps[0], ps[1]], weightDecay: 1e-4), new ParamGroup([ps[2]], learningRate: 1e-5, weightDecay: 0)],
            new AdamOptions(1e-3));
        Assert.Equal(2, optimizer.GroupCount);
        Assert.Equal(new[] { 1e-3, 1e-5 }, optimizer.InitialLearningRates);
        Assert.Equal(1e-3, optimizer.GetLearningRate(0));
        Assert.Equal(1e-5, optimizer.GetLearningRate(1));
        optimizer.SetLearningRate(1, 0.5);
        Assert.Equal(0.5, optimizer.GetLearningRate(1));
        Assert.Equal(1e-3, optimizer.GetLearningRate(0));
        Assert.Equal(new[] { 1e-3, 1e-5 }, optimizer.InitialLearningRates);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.GetLearningRate(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.SetLearningRate(0, -1));
    }

    [Fact]
    public void SetLearningRate_ChangesTheNextSgdStep()
    {
        // Plain SGD, gradient of 0.5 p^2 is p: p1 = p0 (1 - lr).
        var p = Tensor.From(new float[] { 2f }).WithRequiresGrad();
        using var optimizer = new Sgd([p], new SgdOptions(0.1));
        optimizer.SetLearningRate(0, 0.25);
        (p.Square() * 0.5).Sum().Backward();
        optimizer.Step();
        Assert.Equal(1.5f, p.ToArray<float>()[0]);
    }

    [Fact]
    public void Constructor_InvalidArguments_ThrowClearExceptions()
    {
        var ps = OptimProblem.Parameters();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(ps, new SgdOptions(-0.1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParamGroup(ps, learningRate: -1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParamGroup(ps, weightDecay: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(ps, new AdamOptions(Beta1: 1.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(ps, new AdamOptions(Eps: 0)));
        Assert.Throws<ArgumentException>(() => new Sgd(ps, new SgdOptions(0.1, Momentum: 0.9, Dampening: 0.1, Nesterov: true)));
        Assert.Throws<ArgumentException>(() => new Sgd(ps, new SgdOptions(0.1, Nesterov: true)));

        var noGroups = Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<ParamGroup>(), new AdamOptions()));
        Assert.Contains("at least one parameter group", noGroups.Message, StringComparison.Ordinal);
        var emptyGroup = Assert.Throws<ArgumentException>(() => new ParamGroup(Array.Empty<Tensor>()));
        Assert.Contains("at least one tensor", emptyGroup.Message, StringComparison.Ordinal);

        var nonLeaf = ps[0] * 2;
        var ex = Assert.Throws<ArgumentException>(() => new Sgd([nonLeaf], new SgdOptions(0.1)));
        Assert.Contains("leaf", ex.Message, StringComparison.Ordinal);
        var noGrad = Tensor.Zeros([3]);
        ex = Assert.Throws<ArgumentException>(() => new Sgd([noGrad], new SgdOptions(0.1)));
        Assert.Contains("requires a gradient", ex.Message, StringComparison.Ordinal);

        // The same tensor in two groups, even through another handle of it.
        ex = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([ps[0], ps[1]]), new ParamGroup([ps[2], ps[0].Alias()])], new AdamOptions()));
        Assert.Contains("parameter 1 of group 1 is the same tensor as parameter 0 of group 0", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new Sgd([ps[2], ps[2]], new SgdOptions(0.1)));
        Assert.Contains("same tensor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_AfterDispose_ThrowsObjectDisposed()
    {
        var optimizer = new Sgd(OptimProblem.Parameters(), new SgdOptions(0.1));
        optimizer.Dispose();
        optimizer.Dispose();
        Assert.Throws<ObjectDisposedException>(optimizer.Step);
    }

    [Fact]
    public void Step_ParametersDisposedOnManagedSide_StillUpdatesTheSharedTensor()
    {
        var p = Tensor.From(new float[] { 2f }).WithRequiresGrad();
        var alias = p.Alias();
        using var optimizer = new Sgd([alias], new SgdOptions(0.5));
        alias.Dispose();
        (p.Square() * 0.5).Sum().Backward();
        optimizer.Step();
        Assert.Equal(1f, p.ToArray<float>()[0]);
    }
}
