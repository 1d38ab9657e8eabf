using Sweeps.Torch.Native;

namespace Sweeps.Torch;

public sealed partial class Tensor
{
    /// <summary>A tensor holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null)
        where T : unmanaged =>
        From(data, shape, MemoryFormat.Contiguous, device);

    /// <summary>
    /// A tensor of the given (logical) shape holding a copy of <paramref name="data"/>, whose elements are in the memory
    /// order of <paramref name="memoryFormat"/>: row-major for <see cref="MemoryFormat.Contiguous"/>; for
    /// <see cref="MemoryFormat.ChannelsLast"/> the shape is [N, C, H, W] and the data runs N, H, W, C (the tensor gets
    /// channels-last strides, no element is reordered).
    /// </summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    /// <exception cref="TorchException">Channels-last for a shape that is not 4-D.</exception>
    public static unsafe Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, MemoryFormat memoryFormat, Device? device = null)
        where T : unmanaged
    {
        long count = 1;
        foreach (var s in shape)
        {
            count *= s;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements, the data {data.Length}", nameof(shape));
        }

        fixed (T* d = data)
        fixed (long* s = shape)
        {
            return Wrap(NativeMethods.swTensor_fromData(d, s, shape.Length, (int)ScalarTypes.Of<T>(), device?.ToString(), (int)memoryFormat));
        }
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/>; without a shape it is one-dimensional.</summary>
    public static Tensor From<T>(T[] data, params long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return From(new ReadOnlySpan<T>(data), shape.Length == 0 ? new long[] { data.Length } : shape, null);
    }

    /// <summary>A one-element, zero-dimensional tensor.</summary>
    public static Tensor Scalar(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Full([], value, dtype, device);

    /// <summary>Uninitialised elements.</summary>
    public static unsafe Tensor Empty(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            return Wrap(NativeMethods.swTensor_empty(s, shape.Length, (int)dtype, device?.ToString()));
        }
    }

    /// <summary>All zeros.</summary>
    public static unsafe Tensor Zeros(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            return Wrap(NativeMethods.swTensor_zeros(s, shape.Length, (int)dtype, device?.ToString()));
        }
    }

    /// <summary>All ones.</summary>
    public static unsafe Tensor Ones(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            return Wrap(NativeMethods.swTensor_ones(s, shape.Length, (int)dtype, device?.ToString()));
        }
    }

    /// <summary>Every element equal to <paramref name="value"/>.</summary>
    public static unsafe Tensor Full(ReadOnlySpan<long> shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            return Wrap(NativeMethods.swTensor_full(s, shape.Length, value, (int)dtype, device?.ToString()));
        }
    }

    /// <summary>Values start, start + step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Wrap(NativeMethods.swTensor_arange(start, end, step, (int)dtype, device?.ToString()));

    /// <summary>The n x m matrix with ones on the diagonal (m defaults to n).</summary>
    public static Tensor Eye(long n, long? m = null, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Wrap(NativeMethods.swTensor_eye(n, m ?? n, (int)dtype, device?.ToString()));

    /// <summary>Uniform samples in [0, 1), from <paramref name="generator"/> or the global generator.</summary>
    public static unsafe Tensor Rand(ReadOnlySpan<long> shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            var result = Wrap(NativeMethods.swTensor_rand(s, shape.Length, (int)dtype, device?.ToString(), Generator.RawOrZero(generator)));
            GC.KeepAlive(generator);
            return result;
        }
    }

    /// <summary>Standard normal samples, from <paramref name="generator"/> or the global generator.</summary>
    public static unsafe Tensor Randn(ReadOnlySpan<long> shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            var result = Wrap(NativeMethods.swTensor_randn(s, shape.Length, (int)dtype, device?.ToString(), Generator.RawOrZero(generator)));
            GC.KeepAlive(generator);
            return result;
        }
    }

    /// <summary>Uniform integers in [low, high) (Int64).</summary>
    public static unsafe Tensor RandInt(long low, long high, ReadOnlySpan<long> shape, Generator? generator = null, Device? device = null)
    {
        fixed (long* s = shape)
        {
            var result = Wrap(NativeMethods.swTensor_randint(low, high, s, shape.Length, device?.ToString(), Generator.RawOrZero(generator)));
            GC.KeepAlive(generator);
            return result;
        }
    }

    /// <summary>A random permutation of 0..n-1 (Int64).</summary>
    public static Tensor RandPerm(long n, Generator? generator = null, Device? device = null)
    {
        var result = Wrap(NativeMethods.swTensor_randperm(n, device?.ToString(), Generator.RawOrZero(generator)));
        GC.KeepAlive(generator);
        return result;
    }

    /// <summary>0/1 samples, each 1 with the probability in <paramref name="probabilities"/>.</summary>
    public static Tensor Bernoulli(Tensor probabilities, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var result = Wrap(NativeMethods.swTensor_bernoulli(probabilities.Handle, Generator.RawOrZero(generator)));
        GC.KeepAlive(generator);
        return result;
    }

    /// <summary>Fills this tensor with normal samples; returns this tensor.</summary>
    public Tensor NormalInPlace(double mean = 0, double std = 1, Generator? generator = null)
    {
        NativeMethods.Check(NativeMethods.swTensor_normal_(Handle, mean, std, Generator.RawOrZero(generator)));
        GC.KeepAlive(generator);
        return this;
    }

    /// <summary>Fills this tensor with uniform samples in [from, to); returns this tensor.</summary>
    public Tensor UniformInPlace(double from = 0, double to = 1, Generator? generator = null)
    {
        NativeMethods.Check(NativeMethods.swTensor_uniform_(Handle, from, to, Generator.RawOrZero(generator)));
        GC.KeepAlive(generator);
        return this;
    }

    /// <summary>This tensor converted to another element type (a new tensor, or an alias when nothing changes).</summary>
    public Tensor To(ScalarType dtype) => Wrap(NativeMethods.swTensor_to(Handle, (int)dtype, null, 0));

    /// <summary>This tensor on another device.</summary>
    public Tensor To(Device device, bool nonBlocking = false) =>
        Wrap(NativeMethods.swTensor_to(Handle, -1, device.ToString(), nonBlocking ? 1 : 0));

    /// <summary>This tensor with another element type on another device.</summary>
    public Tensor To(ScalarType dtype, Device device) => Wrap(NativeMethods.swTensor_to(Handle, (int)dtype, device.ToString(), 0));

    /// <summary>A copy with its own storage (recorded by autograd).</summary>
    public Tensor Clone() => Wrap(NativeMethods.swTensor_clone(Handle));

    /// <summary>A row-major dense tensor with the same values (this tensor's alias when already so).</summary>
    public Tensor Contiguous() => Wrap(NativeMethods.swTensor_contiguous(Handle));

    /// <summary>
    /// The same values with the strides of <paramref name="memoryFormat"/> (torch's <c>t.to(memory_format=...)</c>):
    /// an alias when <see cref="MemoryFormat"/> already is that format, else a copy recorded by autograd. Channels-last
    /// needs a 4-D tensor; a one-channel tensor gets channels-last strides too (its elements need no reordering, but
    /// libtorch picks its kernels by strides).
    /// </summary>
    /// <exception cref="TorchException">Channels-last for a tensor that is not 4-D.</exception>
    public Tensor ToMemoryFormat(MemoryFormat memoryFormat) =>
        Wrap(NativeMethods.swTensor_toMemoryFormat(Handle, (int)memoryFormat));

    /// <summary>Copies <paramref name="source"/>'s values into this tensor (broadcast); returns this tensor.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeMethods.Check(NativeMethods.swTensor_copy_(Handle, source.Handle));
        return this;
    }

    /// <summary>Sets every element to zero; returns this tensor.</summary>
    public Tensor ZeroInPlace()
    {
        NativeMethods.Check(NativeMethods.swTensor_zero_(Handle));
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>; returns this tensor.</summary>
    public Tensor FillInPlace(double value)
    {
        NativeMethods.Check(NativeMethods.swTensor_fill_(Handle, value));
        return this;
    }

    /// <summary>Replaces this tensor's data by <paramref name="source"/>'s, keeping its autograd identity
    /// (Python's <c>p.data = source</c>).</summary>
    public void SetData(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeMethods.Check(NativeMethods.swTensor_setData(Handle, source.Handle));
    }
}
