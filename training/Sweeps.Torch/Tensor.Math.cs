using Sweeps.Torch.Native;

namespace Sweeps.Torch;

public sealed partial class Tensor
{
    /// <summary>Element-wise sum (broadcast).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(Tensor a, double b) => Wrap(NativeMethods.swTensor_addScalar(N(a), b));

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(double a, Tensor b) => Wrap(NativeMethods.swTensor_addScalar(N(b), a));

    /// <summary>Element-wise difference (broadcast).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor operator -(Tensor a, double b) => Wrap(NativeMethods.swTensor_addScalar(N(a), -b));

    /// <summary>A scalar minus every element.</summary>
    public static Tensor operator -(double a, Tensor b) => Wrap(NativeMethods.swTensor_rsubScalar(N(b), a));

    /// <summary>Element-wise negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Element-wise product (broadcast).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => Wrap(NativeMethods.swTensor_mulScalar(N(a), b));

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => Wrap(NativeMethods.swTensor_mulScalar(N(b), a));

    /// <summary>Element-wise true division (broadcast).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => Wrap(NativeMethods.swTensor_divScalar(N(a), b));

    /// <summary>A scalar divided by every element.</summary>
    public static Tensor operator /(double a, Tensor b) => Wrap(NativeMethods.swTensor_rdivScalar(N(b), a));

    private static TensorHandle N(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Handle;
    }

    /// <summary>this + alpha other.</summary>
    public Tensor Add(Tensor other, double alpha = 1) => Wrap(NativeMethods.swTensor_add(Handle, N(other), alpha));

    /// <summary>this - alpha other.</summary>
    public Tensor Sub(Tensor other, double alpha = 1) => Wrap(NativeMethods.swTensor_sub(Handle, N(other), alpha));

    /// <summary>Element-wise product.</summary>
    public Tensor Mul(Tensor other) => Wrap(NativeMethods.swTensor_mul(Handle, N(other)));

    /// <summary>Element-wise true division.</summary>
    public Tensor Div(Tensor other) => Wrap(NativeMethods.swTensor_div(Handle, N(other)));

    /// <summary>Element-wise power with tensor exponents.</summary>
    public Tensor Pow(Tensor exponent) => Wrap(NativeMethods.swTensor_pow(Handle, N(exponent)));

    /// <summary>Element-wise power.</summary>
    public Tensor Pow(double exponent) => Wrap(NativeMethods.swTensor_powScalar(Handle, exponent));

    /// <summary>Element-wise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Wrap(NativeMethods.swTensor_minimum(Handle, N(other)));

    /// <summary>Element-wise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Wrap(NativeMethods.swTensor_maximum(Handle, N(other)));

    /// <summary>Matrix product with broadcasting (torch.matmul).</summary>
    public Tensor Matmul(Tensor other) => Wrap(NativeMethods.swTensor_matmul(Handle, N(other)));

    /// <summary>-this.</summary>
    public Tensor Neg() => Wrap(NativeMethods.swTensor_neg(Handle));

    /// <summary>|this|.</summary>
    public Tensor Abs() => Wrap(NativeMethods.swTensor_abs(Handle));

    /// <summary>-1, 0 or 1 by sign (gradient zero).</summary>
    public Tensor Sign() => Wrap(NativeMethods.swTensor_sign(Handle));

    /// <summary>Rounds half to even, as torch.round (gradient zero).</summary>
    public Tensor Round() => Wrap(NativeMethods.swTensor_round(Handle));

    /// <summary>Largest integer not above each element.</summary>
    public Tensor Floor() => Wrap(NativeMethods.swTensor_floor(Handle));

    /// <summary>Smallest integer not below each element.</summary>
    public Tensor Ceil() => Wrap(NativeMethods.swTensor_ceil(Handle));

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Wrap(NativeMethods.swTensor_sqrt(Handle));

    /// <summary>1 / sqrt(this).</summary>
    public Tensor Rsqrt() => Wrap(NativeMethods.swTensor_rsqrt(Handle));

    /// <summary>e^this.</summary>
    public Tensor Exp() => Wrap(NativeMethods.swTensor_exp(Handle));

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Wrap(NativeMethods.swTensor_log(Handle));

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Wrap(NativeMethods.swTensor_tanh(Handle));

    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Wrap(NativeMethods.swTensor_sigmoid(Handle));

    /// <summary>this * this.</summary>
    public Tensor Square() => Wrap(NativeMethods.swTensor_square(Handle));

    /// <summary>1 / this.</summary>
    public Tensor Reciprocal() => Wrap(NativeMethods.swTensor_reciprocal(Handle));

    /// <summary>Clamps into [min, max]; a null bound leaves that side open. Gradient passes inside the range only.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(NativeMethods.swTensor_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0));

    /// <summary>Clamps into tensor bounds (broadcast), differentiable in the bounds (e.g. a learnable PACT alpha).</summary>
    public Tensor Clamp(Tensor? min, Tensor? max)
    {
        var result = Wrap(NativeMethods.swTensor_clampTensor(Handle, RawOrZero(min), RawOrZero(max)));
        GC.KeepAlive(min);
        GC.KeepAlive(max);
        return result;
    }

    /// <summary>Elements of <paramref name="ifTrue"/> where <paramref name="condition"/> holds, else of <paramref name="ifFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor ifTrue, Tensor ifFalse) =>
        Wrap(NativeMethods.swTensor_where(N(condition), N(ifTrue), N(ifFalse)));

    /// <summary>Element-wise ==, as a Bool tensor.</summary>
    public Tensor Eq(Tensor other) => Wrap(NativeMethods.swTensor_eq(Handle, N(other)));

    /// <summary>Element-wise == scalar.</summary>
    public Tensor Eq(double other) => Wrap(NativeMethods.swTensor_eqScalar(Handle, other));

    /// <summary>Element-wise !=.</summary>
    public Tensor Ne(Tensor other) => Wrap(NativeMethods.swTensor_ne(Handle, N(other)));

    /// <summary>Element-wise != scalar.</summary>
    public Tensor Ne(double other) => Wrap(NativeMethods.swTensor_neScalar(Handle, other));

    /// <summary>Element-wise &gt;.</summary>
    public Tensor Gt(Tensor other) => Wrap(NativeMethods.swTensor_gt(Handle, N(other)));

    /// <summary>Element-wise &gt; scalar.</summary>
    public Tensor Gt(double other) => Wrap(NativeMethods.swTensor_gtScalar(Handle, other));

    /// <summary>Element-wise &gt;=.</summary>
    public Tensor Ge(Tensor other) => Wrap(NativeMethods.swTensor_ge(Handle, N(other)));

    /// <summary>Element-wise &gt;= scalar.</summary>
    public Tensor Ge(double other) => Wrap(NativeMethods.swTensor_geScalar(Handle, other));

    /// <summary>Element-wise &lt;.</summary>
    public Tensor Lt(Tensor other) => Wrap(NativeMethods.swTensor_lt(Handle, N(other)));

    /// <summary>Element-wise &lt; scalar.</summary>
    public Tensor Lt(double other) => Wrap(NativeMethods.swTensor_ltScalar(Handle, other));

    /// <summary>Element-wise &lt;=.</summary>
    public Tensor Le(Tensor other) => Wrap(NativeMethods.swTensor_le(Handle, N(other)));

    /// <summary>Element-wise &lt;= scalar.</summary>
    public Tensor Le(double other) => Wrap(NativeMethods.swTensor_leScalar(Handle, other));

    /// <summary>Element-wise logical and.</summary>
    public Tensor LogicalAnd(Tensor other) => Wrap(NativeMethods.swTensor_logicalAnd(Handle, N(other)));

    /// <summary>Element-wise logical or.</summary>
    public Tensor LogicalOr(Tensor other) => Wrap(NativeMethods.swTensor_logicalOr(Handle, N(other)));

    /// <summary>Element-wise logical not.</summary>
    public Tensor LogicalNot() => Wrap(NativeMethods.swTensor_logicalNot(Handle));

    /// <summary>Whether each element is finite (not NaN, not infinite).</summary>
    public Tensor IsFinite() => Wrap(NativeMethods.swTensor_isfinite(Handle));

    /// <summary>this += alpha other; returns this tensor.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        NativeMethods.Check(NativeMethods.swTensor_add_(Handle, N(other), alpha));
        return this;
    }

    /// <summary>this += value; returns this tensor.</summary>
    public Tensor AddInPlace(double value)
    {
        NativeMethods.Check(NativeMethods.swTensor_addScalar_(Handle, value));
        return this;
    }

    /// <summary>this *= other; returns this tensor.</summary>
    public Tensor MulInPlace(Tensor other)
    {
        NativeMethods.Check(NativeMethods.swTensor_mul_(Handle, N(other)));
        return this;
    }

    /// <summary>this *= value; returns this tensor.</summary>
    public Tensor MulInPlace(double value)
    {
        NativeMethods.Check(NativeMethods.swTensor_mulScalar_(Handle, value));
        return this;
    }

    /// <summary>Clamps in place; returns this tensor.</summary>
    public Tensor ClampInPlace(double? min = null, double? max = null)
    {
        NativeMethods.Check(NativeMethods.swTensor_clamp_(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0));
        return this;
    }
}
