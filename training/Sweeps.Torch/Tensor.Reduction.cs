using Sweeps.Torch.Native;

namespace Sweeps.Torch;

public sealed partial class Tensor
{
    /// <summary>Sum of all elements (no dims) or over the given dimensions.</summary>
    public unsafe Tensor Sum(long[]? dims = null, bool keepDim = false)
    {
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.swTensor_sum(Handle, d, dims?.Length ?? 0, keepDim ? 1 : 0));
        }
    }

    /// <summary>Mean of all elements (no dims) or over the given dimensions.</summary>
    public unsafe Tensor Mean(long[]? dims = null, bool keepDim = false)
    {
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.swTensor_mean(Handle, d, dims?.Length ?? 0, keepDim ? 1 : 0));
        }
    }

    /// <summary>Variance (unbiased by default, as torch.var) of all elements or over dims.</summary>
    public unsafe Tensor Var(long[]? dims = null, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.swTensor_var(Handle, d, dims?.Length ?? 0, unbiased ? 1 : 0, keepDim ? 1 : 0));
        }
    }

    /// <summary>Standard deviation (unbiased by default, as torch.std) of all elements or over dims.</summary>
    public unsafe Tensor Std(long[]? dims = null, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.swTensor_std(Handle, d, dims?.Length ?? 0, unbiased ? 1 : 0, keepDim ? 1 : 0));
        }
    }

    /// <summary>log(sum(exp(x))) over the given dimensions, computed stably.</summary>
    public unsafe Tensor LogSumExp(long[] dims, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(dims);
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.swTensor_logsumexp(Handle, d, dims.Length, keepDim ? 1 : 0));
        }
    }

    /// <summary>The p-norm of all elements.</summary>
    public Tensor Norm(double p = 2) => Wrap(NativeMethods.swTensor_norm(Handle, p));

    /// <summary>The largest element.</summary>
    public Tensor Max() => Wrap(NativeMethods.swTensor_maxAll(Handle));

    /// <summary>The smallest element.</summary>
    public Tensor Min() => Wrap(NativeMethods.swTensor_minAll(Handle));

    /// <summary>Largest values along a dimension and their indices.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        NativeMethods.Check(NativeMethods.swTensor_maxDim(Handle, dim, keepDim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Smallest values along a dimension and their indices.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false)
    {
        NativeMethods.Check(NativeMethods.swTensor_minDim(Handle, dim, keepDim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>The k largest (or smallest) values along a dimension and their indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        NativeMethods.Check(NativeMethods.swTensor_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Index of the largest value along a dimension.</summary>
    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(NativeMethods.swTensor_argmax(Handle, dim, keepDim ? 1 : 0));

    /// <summary>Index of the smallest value along a dimension.</summary>
    public Tensor ArgMin(long dim, bool keepDim = false) => Wrap(NativeMethods.swTensor_argmin(Handle, dim, keepDim ? 1 : 0));

    /// <summary>Whether every element is true (non-zero).</summary>
    public Tensor All() => Wrap(NativeMethods.swTensor_all(Handle));

    /// <summary>Whether any element is true (non-zero).</summary>
    public Tensor Any() => Wrap(NativeMethods.swTensor_any(Handle));

    /// <summary>Sum of the diagonal of a matrix.</summary>
    public Tensor Trace() => Wrap(NativeMethods.swTensor_trace(Handle));

    /// <summary>The diagonal of a matrix as a vector, or a diagonal matrix from a vector.</summary>
    public Tensor Diag(long diagonal = 0) => Wrap(NativeMethods.swTensor_diag(Handle, diagonal));

    /// <summary>Sign and log of the absolute determinant of a square matrix (torch.linalg.slogdet).</summary>
    public (Tensor Sign, Tensor LogAbsDet) SlogDet()
    {
        NativeMethods.Check(NativeMethods.swTensor_slogdet(Handle, out var s, out var l));
        return (new Tensor(s), new Tensor(l));
    }

    /// <summary>Eigenvalues of a symmetric matrix in ascending order (torch.linalg.eigvalsh, lower triangle).</summary>
    public Tensor EigvalsH() => Wrap(NativeMethods.swTensor_eigvalsh(Handle));
}
