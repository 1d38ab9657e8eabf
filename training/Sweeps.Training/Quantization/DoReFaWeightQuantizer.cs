using System.Globalization;
using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// DoReFa weight quantizer (Zhou et al., "DoReFa-Net", 2016), paired with PACT activations:
/// w_q = 2 quant_k(tanh w / (2 max|tanh w|) + 1/2) - 1, quant_k(x) = round((2^k - 1) x)/(2^k - 1) with a
/// straight-through round; the gradient flows through tanh and the max as in DoReFa's code. No parameters;
/// outputs lie in [-1, 1].
/// </summary>
public sealed class DoReFaWeightQuantizer : Quantizer
{
    /// <summary>Creates the quantizer.</summary>
    /// <param name="bits">Bit-width k, 1..8 (k = 1 gives {-1, 1}).</param>
    public DoReFaWeightQuantizer(int bits)
        : base(QuantizationTarget.Weights, bits, lazyInitialization: false)
    {
    }

    /// <summary>Always 2: the normalised weights span [-1, 1].</summary>
    public override double ClipRange() => 2;

    /// <summary>The quantizer's settings, e.g. <c>DoReFaWeightQuantizer(bits=4)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"DoReFaWeightQuantizer(bits={Bits})");

    /// <inheritdoc/>
    protected override Tensor Quantize(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        var t = input.Tanh();
        var normalized = (t / (t.Abs().Max() * 2)) + 0.5;
        var steps = (double)((1L << Bits) - 1);
        var quantized = StraightThrough.Round(normalized * steps) / steps;
        return scope.MoveToOuter((quantized * 2) - 1);
    }
}
