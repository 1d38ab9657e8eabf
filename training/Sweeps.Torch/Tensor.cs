using System.Globalization;
using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>
/// An n-dimensional array held by libtorch, with autograd. The managed object owns one native
/// handle and must be disposed: directly, or by the <see cref="DisposeScope"/> that was current
/// on this thread when the tensor was created. Operations return new tensors (which join the
/// current scope); methods ending in <c>InPlace</c> modify this tensor.
/// </summary>
/// <remarks>Not thread-safe for concurrent mutation; concurrent reads of one tensor are fine.</remarks>
public sealed partial class Tensor : IDisposable
{
    private static long s_live;
    private readonly TensorHandle _handle;

    internal Tensor(IntPtr handle)
    {
        _handle = new TensorHandle(handle);
        Interlocked.Increment(ref s_live);
        DisposeScope.Current?.Attach(this);
    }

    /// <summary>Tensors created and not yet disposed, in this process (all threads).</summary>
    public static long LiveCount => Interlocked.Read(ref s_live);

    /// <summary>The scope that will dispose this tensor, if any.</summary>
    internal DisposeScope? Scope { get; set; }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _handle.IsClosed;

    internal TensorHandle Handle =>
        _handle.IsClosed ? throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed") : _handle;

    /// <summary>The raw handle of an optional tensor (zero for null); keep the tensor alive across the call.</summary>
    internal static IntPtr RawOrZero(Tensor? t) => t is null ? IntPtr.Zero : t.Handle.DangerousGetHandle();

    internal static Tensor Wrap(IntPtr handle) => new(NativeMethods.Check(handle));

    /// <summary>Frees the native tensor now. Idempotent.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        Scope?.Forget(this);
        Scope = null;
        _handle.Dispose();
        Interlocked.Decrement(ref s_live);
    }

    /// <summary>Number of dimensions.</summary>
    public int Dim => NativeMethods.Check(NativeMethods.swTensor_ndim(Handle));

    /// <summary>The sizes of every dimension.</summary>
    public unsafe long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            fixed (long* p = shape)
            {
                NativeMethods.Check(NativeMethods.swTensor_shape(Handle, p));
            }

            return shape;
        }
    }

    /// <summary>The size of one dimension (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        return shape[dim < 0 ? dim + shape.Length : dim];
    }

    /// <summary>Total number of elements.</summary>
    public long NumElements => NativeMethods.Check(NativeMethods.swTensor_numel(Handle));

    /// <summary>The element type.</summary>
    public ScalarType Dtype => (ScalarType)NativeMethods.Check(NativeMethods.swTensor_dtype(Handle));

    /// <summary>The device holding the data.</summary>
    public Device Device
    {
        get
        {
            var type = (DeviceType)NativeMethods.Check(NativeMethods.swTensor_deviceType(Handle));
            var index = NativeMethods.swTensor_deviceIndex(Handle);
            return type == DeviceType.Cpu ? Device.Cpu : Device.Cuda(Math.Max(index, 0));
        }
    }

    /// <summary>Whether elements are laid out densely in row-major order.</summary>
    public bool IsContiguous => NativeMethods.Check(NativeMethods.swTensor_isContiguous(Handle)) == 1;

    /// <summary>
    /// The memory format the strides suggest (libtorch's <c>suggest_memory_format</c>): <see cref="Sweeps.Torch.MemoryFormat.ChannelsLast"/>
    /// for a 4-D tensor with channels-last strides, else <see cref="Sweeps.Torch.MemoryFormat.Contiguous"/>.
    /// </summary>
    public MemoryFormat MemoryFormat => (MemoryFormat)NativeMethods.Check(NativeMethods.swTensor_memoryFormat(Handle));

    /// <summary>Whether the elements lie densely in the memory order of <paramref name="memoryFormat"/>. A tensor can be
    /// both (one channel, or 1 x 1 images), which is why <see cref="MemoryFormat"/> looks at the strides.</summary>
    public bool IsContiguousIn(MemoryFormat memoryFormat) =>
        NativeMethods.Check(NativeMethods.swTensor_isContiguousIn(Handle, (int)memoryFormat)) == 1;

    /// <summary>A new handle to the same tensor (same storage, same autograd identity).</summary>
    public Tensor Alias() => Wrap(NativeMethods.swTensor_share(Handle));

    /// <summary>Copies the elements, in row-major order, to a new array.</summary>
    /// <typeparam name="T">The element type; must match <see cref="Dtype"/> (float for Float32, long for Int64, ...).</typeparam>
    /// <exception cref="ArgumentException">T does not match the tensor's element type.</exception>
    public unsafe T[] ToArray<T>()
        where T : unmanaged
    {
        var expected = ScalarTypes.Of<T>();
        var dtype = Dtype;
        if (dtype != expected)
        {
            throw new ArgumentException($"the tensor holds {dtype}, not {expected} ({typeof(T).Name})", nameof(T));
        }

        var result = new T[NumElements];
        fixed (T* p = result)
        {
            NativeMethods.Check(NativeMethods.swTensor_copyToHost(Handle, p, (long)result.Length * sizeof(T)));
        }

        return result;
    }

    /// <summary>The value of a one-element tensor, as a double.</summary>
    public double ToDouble()
    {
        NativeMethods.Check(NativeMethods.swTensor_itemDouble(Handle, out var value));
        return value;
    }

    /// <summary>The value of a one-element tensor, as a 64-bit integer.</summary>
    public long ToInt64()
    {
        NativeMethods.Check(NativeMethods.swTensor_itemLong(Handle, out var value));
        return value;
    }

    /// <summary>A short description: shape, dtype and device (never the values).</summary>
    public override string ToString() =>
        IsDisposed
            ? "Tensor(disposed)"
            : string.Create(CultureInfo.InvariantCulture, $"Tensor[{string.Join(", ", Shape)}] {Dtype} {Device}");
}
