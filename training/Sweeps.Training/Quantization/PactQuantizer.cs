using System.Globalization;
using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// PACT activation quantizer (Choi et al., "PACT: Parameterized Clipping Activation", 2018):
/// y = clip(x, 0, alpha) with alpha learnable (<c>alpha</c>, init 6), y_q = round(y (2^k - 1)/alpha) alpha/(2^k - 1)
/// with a straight-through round over the whole quantization step, so d/d(alpha) is exactly the sum of the
/// upstream gradient where x &gt;= alpha and d/dx is 1 where 0 &lt; x &lt; alpha. A signed variant clips to
/// [-alpha, alpha] with 2^k - 1 steps across it (used for a model's first-layer input, the normalised image).
/// </summary>
public sealed class PactQuantizer : Quantizer
{
    /// <summary>PACT's initial clip level.</summary>
    public const double InitialAlpha = 6;

    /// <summary>Creates the quantizer.</summary>
    /// <param name="bits">Bit-width k, 1..8.</param>
    /// <param name="signed">Clip to [-alpha, alpha] instead of [0, alpha].</param>
    public PactQuantizer(int bits, bool signed = false)
        : base(QuantizationTarget.Activations, bits, lazyInitialization: false)
    {
        Signed = signed;
        Alpha = RegisterScalar("alpha", InitialAlpha);
    }

    /// <summary>Whether the clip interval is [-alpha, alpha].</summary>
    public bool Signed { get; }

    /// <summary>The clip level alpha (a learnable parameter, owned by this module).</summary>
    public Tensor Alpha { get; }

    /// <inheritdoc/>
    public override double ClipRange() => Alpha.ToDouble() * (Signed ? 2 : 1);

    /// <summary>The quantizer's settings, e.g. <c>PactQuantizer(bits=4)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"PactQuantizer(bits={Bits}{(Signed ? ", signed" : "")})");

    /// <inheritdoc/>
    protected override Tensor Quantize(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        var clipped = StraightThrough.ClipToAlpha(input, Alpha, Signed);
        var steps = (double)((1L << Bits) - 1);
        Tensor quantized;
        using (new NoGradScope())
        {
            var alpha = Alpha.Detach();
            quantized = Signed
                ? (((clipped + alpha) * steps / (alpha * 2)).Round() * (alpha * 2) / steps) - alpha
                : (clipped * steps / alpha).Round() * alpha / steps;
        }

        return scope.MoveToOuter(StraightThrough.Apply(clipped, quantized));
    }
}
