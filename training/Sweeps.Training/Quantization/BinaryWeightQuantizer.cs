using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// 1-bit weights (DoReFa's W1 rule): w_q = E sign(w) with E = mean|w| (not differentiated) and sign(0) = +1;
/// the gradient is the identity (straight-through), as DoReFa's sign(w / E) E with E held constant.
/// </summary>
public sealed class BinaryWeightQuantizer : Quantizer
{
    /// <summary>Creates the quantizer (1 bit, no parameters).</summary>
    public BinaryWeightQuantizer()
        : base(QuantizationTarget.Weights, 1, lazyInitialization: false)
    {
    }

    /// <summary>Not available without an input: returns NaN (binary weights have no stored clip level).</summary>
    public override double ClipRange() => double.NaN;

    /// <summary>The quantizer's name.</summary>
    public override string ToString() => "BinaryWeightQuantizer()";

    /// <inheritdoc/>
    protected override Tensor Quantize(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor quantized;
        using (new NoGradScope())
        {
            var meanAbs = input.Abs().Mean();
            quantized = ((input.Ge(0).To(input.Dtype) * 2) - 1) * meanAbs;
        }

        return scope.MoveToOuter(StraightThrough.Apply(input, quantized));
    }
}
