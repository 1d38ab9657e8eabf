using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void swTensor_free(IntPtr t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_share(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_fromData(void* data, long* shape, int ndim, int dtype, string? device, int memoryFormat);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_empty(long* shape, int ndim, int dtype, string? device);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_zeros(long* shape, int ndim, int dtype, string? device);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_ones(long* shape, int ndim, int dtype, string? device);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_full(long* shape, int ndim, double value, int dtype, string? device);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_arange(double start, double end, double step, int dtype, string? device);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_eye(long n, long m, int dtype, string? device);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_rand(long* shape, int ndim, int dtype, string? device, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_randn(long* shape, int ndim, int dtype, string? device, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_randint(long low, long high, long* shape, int ndim, string? device, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_randperm(long n, string? device, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_bernoulli(TensorHandle probs, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_normal_(TensorHandle t, double mean, double std, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_uniform_(TensorHandle t, double from, double to, IntPtr generator);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_ndim(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_shape(TensorHandle t, long* shape);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial long swTensor_numel(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_dtype(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_deviceType(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_deviceIndex(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_requiresGrad(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_setRequiresGrad(TensorHandle t, int value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_isLeaf(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_isContiguous(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_isContiguousIn(TensorHandle t, int memoryFormat);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_memoryFormat(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_copyToHost(TensorHandle t, void* dst, long nbytes);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_itemDouble(TensorHandle t, out double value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_itemLong(TensorHandle t, out long value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_to(TensorHandle t, int dtype, string? device, int nonBlocking);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_clone(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_contiguous(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_toMemoryFormat(TensorHandle t, int memoryFormat);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_detach(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_detach_(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_copy_(TensorHandle dst, TensorHandle src);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_zero_(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_fill_(TensorHandle t, double value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_setData(TensorHandle t, TensorHandle src);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_add(TensorHandle a, TensorHandle b, double alpha);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_sub(TensorHandle a, TensorHandle b, double alpha);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_mul(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_div(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_pow(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_minimum(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_maximum(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_matmul(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_eq(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_ne(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_gt(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_ge(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_lt(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_le(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_logicalAnd(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_logicalOr(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_addScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_mulScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_divScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_rsubScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_rdivScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_powScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_eqScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_neScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_gtScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_geScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_ltScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_leScalar(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_neg(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_abs(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_sign(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_round(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_floor(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_ceil(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_sqrt(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_rsqrt(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_exp(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_log(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_tanh(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_sigmoid(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_square(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_reciprocal(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_logicalNot(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_isfinite(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_maxAll(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_minAll(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_all(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_any(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_trace(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_squeeze(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_eigvalsh(TensorHandle t);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_clamp(TensorHandle t, int hasMin, double min, int hasMax, double max);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_clampTensor(TensorHandle t, IntPtr min, IntPtr max);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_where(TensorHandle condition, TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_add_(TensorHandle a, TensorHandle b, double alpha);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_mul_(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_mulScalar_(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_addScalar_(TensorHandle a, double s);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_clamp_(TensorHandle t, int hasMin, double min, int hasMax, double max);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_sum(TensorHandle t, long* dims, int ndims, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_mean(TensorHandle t, long* dims, int ndims, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_logsumexp(TensorHandle t, long* dims, int ndims, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_var(TensorHandle t, long* dims, int ndims, int unbiased, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_std(TensorHandle t, long* dims, int ndims, int unbiased, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_norm(TensorHandle t, double p);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_argmax(TensorHandle t, long dim, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_argmin(TensorHandle t, long dim, int keepdim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_maxDim(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_minDim(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_topk(TensorHandle t, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_slogdet(TensorHandle t, out IntPtr sign, out IntPtr logabsdet);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_diag(TensorHandle t, long diagonal);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_reshape(TensorHandle t, long* values, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_view(TensorHandle t, long* values, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_expand(TensorHandle t, long* values, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_repeat(TensorHandle t, long* values, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_permute(TensorHandle t, long* values, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_flip(TensorHandle t, long* values, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_transpose(TensorHandle t, long d0, long d1);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_unsqueeze(TensorHandle t, long dim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_squeezeDim(TensorHandle t, long dim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_flatten(TensorHandle t, long start, long end);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_narrow(TensorHandle t, long dim, long start, long length);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_select(TensorHandle t, long dim, long index);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_slice(TensorHandle t, long dim, long start, long end, long step);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_indexSelect(TensorHandle t, long dim, TensorHandle index);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_gather(TensorHandle t, long dim, TensorHandle index);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_cat(IntPtr* items, int count, long dim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_stack(IntPtr* items, int count, long dim);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_pad(TensorHandle t, long* pad, int npad, double value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swTensor_index(TensorHandle t, int* kinds, long* ints, IntPtr* tensors, int count);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_indexPut_(TensorHandle t, int* kinds, long* ints, IntPtr* tensors, int count, TensorHandle value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_grad(TensorHandle t, out IntPtr grad);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swTensor_setGrad(TensorHandle t, IntPtr grad);
}
