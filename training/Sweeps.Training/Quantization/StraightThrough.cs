using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// The small differentiable parts quantizers are composed of, each with a straight-through gradient where
/// rounding would otherwise kill it (Bengio et al. 2013): the value of the quantized function, the gradient
/// of the identity, written <c>x + (q(x) - x).detach()</c>. Results are new tensors owned by the caller.
/// </summary>
public static class StraightThrough
{
    /// <summary>Returns a tensor whose value is <paramref name="quantized"/> and whose gradient with respect to
    /// <paramref name="input"/> is the identity: <c>input + (quantized - input).detach()</c>.</summary>
    /// <param name="input">The differentiable input.</param>
    /// <param name="quantized">Its quantized value (same shape); no gradient flows through it.</param>
    public static Tensor Apply(Tensor input, Tensor quantized)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(quantized);
        using var scope = DisposeScope.Enter();
        Tensor difference;
        using (new NoGradScope())
        {
            difference = quantized - input;
        }

        return scope.MoveToOuter(input + difference);
    }

    /// <summary>round(x) (half to even, as torch.round) with gradient 1.</summary>
    public static Tensor Round(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        Tensor rounded;
        using (new NoGradScope())
        {
            rounded = input.Round();
        }

        return scope.MoveToOuter(Apply(input, rounded));
    }

    /// <summary>Binary sign: +1 where x &gt;= 0, -1 elsewhere, with gradient 1.</summary>
    public static Tensor Sign(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        Tensor sign;
        using (new NoGradScope())
        {
            sign = (input.Ge(0).To(input.Dtype) * 2) - 1;
        }

        return scope.MoveToOuter(Apply(input, sign));
    }

    /// <summary>
    /// The value of <paramref name="input"/> with its gradient multiplied by <paramref name="scale"/>:
    /// <c>(x - x scale).detach() + x scale</c> (LSQ's gradient scaling, Esser et al. 2020).
    /// </summary>
    public static Tensor ScaleGradient(Tensor input, double scale)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var scaled = input * scale;
        Tensor rest;
        using (new NoGradScope())
        {
            rest = input - scaled;
        }

        return scope.MoveToOuter(rest + scaled);
    }

    /// <summary>
    /// PACT's clip (Choi et al. 2018): min(max(x, low), alpha) where low is 0 (unsigned) or
    /// -alpha (signed), composed so that d/d(alpha) is exactly the sum of the upstream gradient where x &gt;= alpha
    /// (minus that where x &lt;= -alpha when signed) and d/dx is 1 strictly inside the interval.
    /// </summary>
    /// <param name="input">x.</param>
    /// <param name="alpha">The clip level, a one-element tensor (usually a learnable parameter).</param>
    /// <param name="signed">Clip to [-alpha, alpha] instead of [0, alpha].</param>
    public static Tensor ClipToAlpha(Tensor input, Tensor alpha, bool signed)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(alpha);
        using var scope = DisposeScope.Enter();
        Tensor result;
        if (signed)
        {
            var negative = -alpha;
            var inner = Tensor.Where(input.Le(negative), negative, input);
            result = Tensor.Where(input.Ge(alpha), alpha, inner);
        }
        else
        {
            var inner = Tensor.Where(input.Le(0), input * 0, input);
            result = Tensor.Where(input.Ge(alpha), alpha, inner);
        }

        return scope.MoveToOuter(result);
    }
}
