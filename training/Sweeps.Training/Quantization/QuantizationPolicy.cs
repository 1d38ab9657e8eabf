using Sweeps.Training.Models;

namespace Sweeps.Training.Quantization;

/// <summary>
/// Which bit-widths each layer gets (METHODS.md: every conv and linear layer is quantized; the first conv and
/// the last linear stay at 8 bits by default). A full-precision request (<c>W32A32</c>) is full precision
/// everywhere.
/// </summary>
public sealed record QuantizationPolicy
{
    /// <summary>First and last layers at W8A8, the others at the requested bits.</summary>
    public static QuantizationPolicy Default { get; } = new();

    /// <summary>Every layer at the requested bits.</summary>
    public static QuantizationPolicy Uniform { get; } = new() { FirstLayerBits = null, LastLayerBits = null };

    /// <summary>Bits of the <see cref="LayerRole.First"/> layer, or null for the requested bits.</summary>
    public BitWidths? FirstLayerBits { get; init; } = new(8, 8);

    /// <summary>Bits of the <see cref="LayerRole.Last"/> layer, or null for the requested bits.</summary>
    public BitWidths? LastLayerBits { get; init; } = new(8, 8);

    /// <summary>The bits of a layer with <paramref name="role"/> when the model is requested at <paramref name="requested"/>.</summary>
    public BitWidths BitsFor(LayerRole role, BitWidths requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (requested.IsFullPrecision)
        {
            return requested;
        }

        return role switch
        {
            LayerRole.First => FirstLayerBits ?? requested,
            LayerRole.Last => LastLayerBits ?? requested,
            _ => requested,
        };
    }
}
