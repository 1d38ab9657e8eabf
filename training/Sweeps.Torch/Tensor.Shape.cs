using Sweeps.Torch.Native;

namespace Sweeps.Torch;

public sealed partial class Tensor
{
    private unsafe delegate IntPtr LongsOp(TensorHandle t, long* values, int count);

    private unsafe Tensor WithLongs(LongsOp op, long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        fixed (long* v = values)
        {
            return Wrap(op(Handle, v, values.Length));
        }
    }

    /// <summary>The same elements with another shape (-1 infers one size); a view when possible.</summary>
    public unsafe Tensor Reshape(params long[] shape) => WithLongs(NativeMethods.swTensor_reshape, shape);

    /// <summary>A view with another shape; fails when the layout does not allow a view.</summary>
    public unsafe Tensor View(params long[] shape) => WithLongs(NativeMethods.swTensor_view, shape);

    /// <summary>A broadcast view to a larger shape (-1 keeps a size).</summary>
    public unsafe Tensor Expand(params long[] shape) => WithLongs(NativeMethods.swTensor_expand, shape);

    /// <summary>Tiles the tensor the given number of times along each dimension.</summary>
    public unsafe Tensor Repeat(params long[] repeats) => WithLongs(NativeMethods.swTensor_repeat, repeats);

    /// <summary>Reorders the dimensions.</summary>
    public unsafe Tensor Permute(params long[] dims) => WithLongs(NativeMethods.swTensor_permute, dims);

    /// <summary>Reverses the order of elements along the given dimensions.</summary>
    public unsafe Tensor Flip(params long[] dims) => WithLongs(NativeMethods.swTensor_flip, dims);

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(long dim0, long dim1) => Wrap(NativeMethods.swTensor_transpose(Handle, dim0, dim1));

    /// <summary>The transpose of a matrix.</summary>
    public Tensor T => Transpose(0, 1);

    /// <summary>Inserts a dimension of size one.</summary>
    public Tensor Unsqueeze(long dim) => Wrap(NativeMethods.swTensor_unsqueeze(Handle, dim));

    /// <summary>Removes every dimension of size one.</summary>
    public Tensor Squeeze() => Wrap(NativeMethods.swTensor_squeeze(Handle));

    /// <summary>Removes the given dimension if its size is one.</summary>
    public Tensor Squeeze(long dim) => Wrap(NativeMethods.swTensor_squeezeDim(Handle, dim));

    /// <summary>Merges dimensions start..end into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(NativeMethods.swTensor_flatten(Handle, startDim, endDim));

    /// <summary>The elements start..start+length-1 along a dimension (a view).</summary>
    public Tensor Narrow(long dim, long start, long length) => Wrap(NativeMethods.swTensor_narrow(Handle, dim, start, length));

    /// <summary>One position along a dimension, which is removed (a view).</summary>
    public Tensor Select(long dim, long index) => Wrap(NativeMethods.swTensor_select(Handle, dim, index));

    /// <summary>start:end:step along a dimension (a view).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(NativeMethods.swTensor_slice(Handle, dim, start, end, step));

    /// <summary>The entries at <paramref name="index"/> (Int64) along a dimension.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(NativeMethods.swTensor_indexSelect(Handle, dim, N(index)));

    /// <summary>torch.gather along a dimension.</summary>
    public Tensor Gather(long dim, Tensor index) => Wrap(NativeMethods.swTensor_gather(Handle, dim, N(index)));

    /// <summary>Constant padding: (before, after) pairs starting from the last dimension, as torch.nn.functional.pad.</summary>
    public unsafe Tensor Pad(long[] pad, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(pad);
        fixed (long* p = pad)
        {
            return Wrap(NativeMethods.swTensor_pad(Handle, p, pad.Length, value));
        }
    }

    /// <summary>Joins tensors along an existing dimension.</summary>
    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Joins tensors along a new dimension.</summary>
    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++)
        {
            handles[i] = tensors[i].Handle.DangerousGetHandle();
        }

        fixed (IntPtr* h = handles)
        {
            var result = Wrap(stack
                ? NativeMethods.swTensor_stack(h, handles.Length, dim)
                : NativeMethods.swTensor_cat(h, handles.Length, dim));
            GC.KeepAlive(tensors);
            return result;
        }
    }

    /// <summary>Python-style indexing: <c>t[0, 1..3, TensorIndex.Ellipsis]</c>; assignment copies values in.</summary>
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices, null);
        set => Index(indices, value);
    }

    private unsafe Tensor Index(TensorIndex[] indices, Tensor? value)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var kinds = new int[indices.Length];
        var ints = new long[indices.Length * 3];
        var tensors = new IntPtr[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var ix = indices[i];
            kinds[i] = (int)ix.IndexKind;
            ints[3 * i] = ix.Start;
            ints[(3 * i) + 1] = ix.Stop;
            ints[(3 * i) + 2] = ix.Step;
            tensors[i] = RawOrZero(ix.Tensor);
        }

        fixed (int* k = kinds)
        fixed (long* n = ints)
        fixed (IntPtr* t = tensors)
        {
            if (value is null)
            {
                var result = Wrap(NativeMethods.swTensor_index(Handle, k, n, t, indices.Length));
                GC.KeepAlive(indices);
                return result;
            }

            NativeMethods.Check(NativeMethods.swTensor_indexPut_(Handle, k, n, t, indices.Length, value.Handle));
            GC.KeepAlive(indices);
            return value;
        }
    }
}
