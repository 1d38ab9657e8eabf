namespace Sweeps.Torch.Tests;

/// <summary>libtorch errors surface as TorchException with libtorch's message; the process goes on.</summary>
public sealed class ErrorTests
{
    [Fact]
    public void ShapeMismatch_ThrowsWithLibtorchMessage_AndLaterCallsWork()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Zeros([2, 3]);
        var ex = Assert.Throws<TorchException>(() => a + Tensor.Zeros([4]));
        Assert.Contains("must match the size", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception raised from", ex.Message, StringComparison.Ordinal); // no C++ backtrace
        Assert.Equal(new float[] { 2, 2, 2, 2, 2, 2 }, (a + 2).ToArray<float>());
    }

    [Fact]
    public void ConvWithWrongChannels_ThrowsTorchException()
    {
        using var scope = DisposeScope.Enter();
        var ex = Assert.Throws<TorchException>(() => Functional.Conv2d(Tensor.Zeros([1, 3, 8, 8]), Tensor.Zeros([4, 2, 3, 3])));
        Assert.Contains("channels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsOnOneThread_DoNotLeakIntoAnother()
    {
        using var scope = DisposeScope.Enter();
        Assert.Throws<TorchException>(() => Tensor.Zeros([2]).View(3));
        string? otherThreadError = "unset";
        var t = new Thread(() => otherThreadError = Native.NativeMethods.LastError());
        t.Start();
        t.Join();
        Assert.Null(otherThreadError);
    }

    [Fact]
    public void ToArray_WrongElementType_ThrowsArgumentException()
    {
        using var scope = DisposeScope.Enter();
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2]).ToArray<long>());
        Assert.Contains("Float32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_ShapeNotMatchingData_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Tensor.From(new float[] { 1, 2, 3 }, 2, 2));
    }

    [Theory]
    [InlineData("cpu", DeviceType.Cpu, -1, "cpu")]
    [InlineData("cuda", DeviceType.Cuda, 0, "cuda:0")]
    [InlineData(" CUDA:3 ", DeviceType.Cuda, 3, "cuda:3")]
    public void DeviceParse_ValidNames_RoundTrip(string text, DeviceType type, int index, string name)
    {
        var d = Device.Parse(text);
        Assert.Equal(new Device(type, index), d);
        Assert.Equal(name, d.ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    public void DeviceParse_InvalidNames_ThrowFormatException(string text) =>
        Assert.Throws<FormatException>(() => Device.Parse(text));

    [Fact]
    public void CudaDevice_WorksWhenPresent_ElseThrowsTorchExceptionNotCrash()
    {
        using var scope = DisposeScope.Enter();
        if (Torch.CudaIsAvailable)
        {
            Assert.Equal(Device.Cuda(0), Tensor.Zeros([2], device: Device.Cuda(0)).Device);
        }
        else
        {
            Assert.Throws<TorchException>(() => Tensor.Zeros([2], device: Device.Cuda(0)));
            Assert.Equal([Device.Cpu], Torch.LocalDevices());
        }
    }

    [Fact]
    public void Torch_ThreadsAndVersion_AreSet()
    {
        Assert.Equal(Environment.ProcessorCount, Torch.NumThreads);
        Assert.Matches(@"^\d+\.\d+\.\d+$", Torch.LibTorchVersion);
    }
}
