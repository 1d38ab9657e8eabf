using Sweeps.Torch;

namespace Sweeps.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void Add_TwoVectors_SumsElementwise()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new float[] { 1, 2, 3 });
        var b = Tensor.From(new float[] { 10, 20, 30 });
        Assert.Equal(new float[] { 11, 22, 33 }, (a + b).ToArray<float>());
    }

    [Fact]
    public void Matmul_ShapeMismatch_ThrowsTorchExceptionWithLibtorchMessage()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Zeros([2, 3]);
        var b = Tensor.Zeros([4, 5]);
        var ex = Assert.Throws<TorchException>(() => a.Matmul(b));
        Assert.Contains("cannot be multiplied", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new long[] { 2, 5 }, a.Matmul(Tensor.Zeros([3, 5])).Shape);
    }
}
