namespace Sweeps.Torch.Tests;

/// <summary>Seeded generators reproduce PyTorch's CPU generator draws (reference/generator.py).</summary>
public sealed class GeneratorTests
{
    [Fact]
    public void Draws_SameSeedAsPyTorch_GiveSameNumbers()
    {
        var reference = PythonReference.Run("generator.py");
        using var scope = DisposeScope.Enter();
        using var g = new Generator(42);
        TestAssert.Close(PythonReference.Doubles(reference.GetProperty("randn")), Tensor.Randn([6], g).ToArray<float>(), what: "randn");
        TestAssert.Close(PythonReference.Doubles(reference.GetProperty("rand")), Tensor.Rand([6], g).ToArray<float>(), what: "rand");
        TestAssert.Close(
            PythonReference.Doubles(reference.GetProperty("randperm")),
            Tensor.RandPerm(10, g).ToArray<long>().Select(v => (double)v).ToArray(),
            what: "randperm");
        TestAssert.Close(
            PythonReference.Doubles(reference.GetProperty("bernoulli")),
            Tensor.Bernoulli(Tensor.Full([8], 0.5), g).ToArray<float>(),
            what: "bernoulli");
    }

    [Fact]
    public void State_SavedAndRestored_ReproducesTheSameDraws()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(7);
        _ = Tensor.Randn([3], g);
        var state = g.GetState();
        var first = Tensor.Randn([5], g).ToArray<float>();
        var other = Tensor.Randn([5], g).ToArray<float>();
        g.SetState(state);
        Assert.Equal(first, Tensor.Randn([5], g).ToArray<float>());
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void NormalAndUniformInPlace_UseTheGenerator()
    {
        using var scope = DisposeScope.Enter();
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        var a = Tensor.Empty([1000]).NormalInPlace(2, 0.5, g1);
        var b = Tensor.Empty([1000]).NormalInPlace(2, 0.5, g2);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Assert.InRange(a.Mean().ToDouble(), 1.95, 2.05);
        Assert.InRange(a.Std().ToDouble(), 0.47, 0.53);
        var u = Tensor.Empty([1000]).UniformInPlace(-1, 3, g1).ToArray<float>();
        Assert.True(u.Min() >= -1 && u.Max() < 3);
    }
}
