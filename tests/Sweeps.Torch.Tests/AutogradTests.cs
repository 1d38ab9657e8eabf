namespace Sweeps.Torch.Tests;

/// <summary>Autograd plumbing: grad mode, detach, higher-order gradients.</summary>
public sealed class AutogradTests
{
    [Fact]
    public void NoGradScope_DisablesRecordingAndRestoresThePreviousMode()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.Ones([2]).WithRequiresGrad();
        Assert.True(Autograd.IsGradEnabled);
        using (new NoGradScope())
        {
            Assert.False(Autograd.IsGradEnabled);
            Assert.False((w * 2).RequiresGrad);
            using (new NoGradScope(enabled: true))
            {
                Assert.True((w * 2).RequiresGrad);
            }

            Assert.False(Autograd.IsGradEnabled);
        }

        Assert.True(Autograd.IsGradEnabled);
        Assert.True((w * 2).RequiresGrad);
    }

    [Fact]
    public void Grad_AccumulatesAcrossBackwardsAndClearsWhenSetToNull()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.From(new double[] { 1, 2 }).WithRequiresGrad();
        Assert.Null(w.Grad);
        (w * w).Sum().Backward();
        (w * 3).Sum().Backward();
        Assert.Equal(new double[] { 5, 7 }, w.Grad!.ToArray<double>());
        w.Grad = null;
        Assert.Null(w.Grad);
        Assert.True(w.IsLeaf);
        Assert.False((w * 2).IsLeaf);
    }

    [Fact]
    public void Detach_CutsTheGraph()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.From(new double[] { 3 }).WithRequiresGrad();
        var y = (w * w).Detach() * w;
        y.Sum().Backward();
        Assert.Equal(new double[] { 9 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void AutogradGrad_CreateGraph_GivesHessianVectorProducts()
    {
        // f(x) = 1/2 x^T A x with symmetric A: grad = A x, Hessian-vector product = A v.
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new double[] { 2, 1, 0, 1, 3, 1, 0, 1, 4 }, 3, 3);
        var x = Tensor.From(new double[] { 1, -1, 2 }).WithRequiresGrad();
        var v = Tensor.From(new double[] { 1, 0, -1 });
        var f = x.Matmul(a.Matmul(x)) * 0.5;
        var g = Autograd.Grad([f], [x], createGraph: true)[0]!;
        Assert.Equal(new double[] { 1, 0, 7 }, g.ToArray<double>());
        var hv = Autograd.Grad([(g * v).Sum()], [x])[0]!;
        Assert.Equal(new double[] { 2, 0, -4 }, hv.ToArray<double>());
        Assert.Null(x.Grad);
    }

    [Fact]
    public void AutogradGrad_UnusedInput_IsNullOnlyWhenAllowed()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([2]).WithRequiresGrad();
        var unused = Tensor.Ones([2]).WithRequiresGrad();
        var y = (x * 2).Sum();
        Assert.Throws<TorchException>(() => Autograd.Grad([y], [x, unused], retainGraph: true));
        var grads = Autograd.Grad([y], [x, unused], allowUnused: true);
        Assert.Equal(new float[] { 2, 2 }, grads[0]!.ToArray<float>());
        Assert.Null(grads[1]);
    }
}
