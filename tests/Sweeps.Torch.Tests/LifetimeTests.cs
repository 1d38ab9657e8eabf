namespace Sweeps.Torch.Tests;

/// <summary>Deterministic disposal: scopes, ownership transfer, use after dispose.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public void DisposeScope_Dispose_DisposesEveryTensorCreatedInside()
    {
        Tensor a, b, sum;
        using (var scope = DisposeScope.Enter())
        {
            a = Tensor.Ones([2]);
            b = Tensor.Ones([2]);
            sum = a + b;
            Assert.Equal(3, scope.Count);
        }

        Assert.True(a.IsDisposed && b.IsDisposed && sum.IsDisposed);
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void MoveToOuter_KeepsTheTensorAliveUntilTheOuterScopeEnds()
    {
        Tensor kept, dropped;
        using (var outer = DisposeScope.Enter())
        {
            using (var inner = DisposeScope.Enter())
            {
                dropped = Tensor.Ones([1]);
                kept = inner.MoveToOuter(dropped * 2);
                Assert.Equal(1, inner.Count);
            }

            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(2f, kept.ToArray<float>()[0]);
            Assert.Equal(1, outer.Count);
        }

        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void Detach_HandsOwnershipToTheCaller()
    {
        Tensor owned;
        using (DisposeScope.Enter())
        {
            owned = DisposeScope.Detach(Tensor.Ones([1]));
        }

        Assert.False(owned.IsDisposed);
        owned.Dispose();
        Assert.True(owned.IsDisposed);
        owned.Dispose(); // idempotent
    }

    [Fact]
    public void DisposedTensor_Use_ThrowsObjectDisposedException()
    {
        var t = Tensor.Ones([1]);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        Assert.Equal("Tensor(disposed)", t.ToString());
    }

    [Fact]
    public void ManuallyDisposedTensor_IsForgottenByItsScope()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Ones([1]);
        t.Dispose();
        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public void DisposeScope_OuterDisposedBeforeInner_Throws()
    {
        var outer = DisposeScope.Enter();
        var inner = DisposeScope.Enter();
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void DisposeScope_IsPerThread()
    {
        using var scope = DisposeScope.Enter();
        Tensor? fromOtherThread = null;
        var thread = new Thread(() => fromOtherThread = Tensor.Ones([1]));
        thread.Start();
        thread.Join();
        Assert.Equal(0, scope.Count);
        Assert.NotNull(fromOtherThread);
        fromOtherThread.Dispose();
    }
}
