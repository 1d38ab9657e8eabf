using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Training.Models;

namespace Sweeps.Training.Quantization;

/// <summary>
/// The <see cref="ILayerFactory"/> of quantized students: <see cref="QuantConv2d"/> / <see cref="QuantLinear"/>
/// with quantizers of one kind at the bits <see cref="Policy"/> gives each layer's role. A full-precision
/// request (<c>W32A32</c>) creates plain <see cref="Conv2d"/> / <see cref="Linear"/> layers, exactly the teacher's.
/// The input quantizer is signed for the first layer (it sees the normalised image) and for layers whose model says
/// their input can be negative; depthwise (grouped) convolutions are quantized like any other.
/// </summary>
public sealed class QuantizedLayerFactory : ILayerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="kind">The quantizer family.</param>
    /// <param name="bits">The requested bit-widths of the model.</param>
    /// <param name="policy">Per-role bits; null is <see cref="QuantizationPolicy.Default"/>.</param>
    public QuantizedLayerFactory(QuantizerKind kind, BitWidths bits, QuantizationPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(bits);
        Kind = kind;
        Bits = bits;
        Policy = policy ?? QuantizationPolicy.Default;
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind { get; }

    /// <summary>The requested bit-widths.</summary>
    public BitWidths Bits { get; }

    /// <summary>The per-role bit policy.</summary>
    public QuantizationPolicy Policy { get; }

    /// <inheritdoc/>
    public Conv2d Conv2d(
        long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, LayerRole role, Generator? generator,
        long groups = 1, bool signedInput = false)
    {
        var bits = Policy.BitsFor(role, Bits);
        if (bits.IsFullPrecision)
        {
            return new Conv2d(inChannels, outChannels, kernelSize, stride, padding, bias, generator, groups);
        }

        return new QuantConv2d(
            inChannels, outChannels, kernelSize, stride, padding, bias,
            Quantizers.Create(Kind, QuantizationTarget.Weights, bits.Weight),
            Quantizers.Create(Kind, QuantizationTarget.Activations, bits.Activation, signedInput: signedInput || role == LayerRole.First),
            generator,
            groups);
    }

    /// <inheritdoc/>
    public Linear Linear(long inFeatures, long outFeatures, LayerRole role, Generator? generator)
    {
        var bits = Policy.BitsFor(role, Bits);
        if (bits.IsFullPrecision)
        {
            return new Linear(inFeatures, outFeatures, bias: true, generator);
        }

        return new QuantLinear(
            inFeatures, outFeatures, bias: true,
            Quantizers.Create(Kind, QuantizationTarget.Weights, bits.Weight),
            Quantizers.Create(Kind, QuantizationTarget.Activations, bits.Activation, signedInput: role == LayerRole.First),
            generator);
    }
}
