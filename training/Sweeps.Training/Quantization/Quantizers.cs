namespace Sweeps.Training.Quantization;

/// <summary>Creates the quantizer of a kind for weights or activations at a bit-width.</summary>
public static class Quantizers
{
    /// <summary>
    /// The quantizer for <paramref name="target"/> at <paramref name="bits"/>: null at 32 bits (full precision);
    /// at 1 bit, <see cref="BinaryWeightQuantizer"/> for weights and a 1-bit <see cref="PactQuantizer"/> for
    /// activations whatever the kind (METHODS.md: "1-bit: sign with STE for weights (scaled by mean|w|),
    /// PACT-style for activations"); otherwise EWGS, LSQ, or PACT (activations) / DoReFa (weights).
    /// </summary>
    /// <param name="kind">The quantizer family.</param>
    /// <param name="target">Weights or activations.</param>
    /// <param name="bits">1..8, or 32.</param>
    /// <param name="signedInput">For activations: whether the input can be negative (a model's first layer sees
    /// the normalised image); LSQ and PACT then use a signed grid, EWGS dequantises affinely (x_q (u - l) + l).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is not 1..8 or 32, or the kind is unknown.</exception>
    public static Quantizer? Create(QuantizerKind kind, QuantizationTarget target, int bits, bool signedInput = false)
    {
        if (bits == BitWidths.FullPrecisionBits)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 8);
        var weights = target == QuantizationTarget.Weights;
        if (bits == 1)
        {
            return weights ? new BinaryWeightQuantizer() : new PactQuantizer(1, signedInput);
        }

        return kind switch
        {
            QuantizerKind.Ewgs => new EwgsQuantizer(target, bits, signedInput),
            QuantizerKind.Lsq => new LsqQuantizer(target, bits, signed: signedInput),
            QuantizerKind.Pact => weights ? new DoReFaWeightQuantizer(bits) : new PactQuantizer(bits, signedInput),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown quantizer kind"),
        };
    }
}
