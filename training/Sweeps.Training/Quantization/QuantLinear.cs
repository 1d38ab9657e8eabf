using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Quantization;

/// <summary>
/// A <see cref="Linear"/> layer applied to its quantized input with its quantized weights. State-dict keys are
/// the full-precision layer's (<c>weight</c>, <c>bias</c>) followed by the quantizers' under
/// <c>weight_quantizer.</c> and <c>input_quantizer.</c> (see <see cref="QuantConv2d"/>).
/// </summary>
public class QuantLinear : Linear, IQuantizedLayer
{
    /// <summary>Creates the layer; weights are drawn as <see cref="Linear"/> draws them.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="bias">Whether the layer has a bias (never quantized).</param>
    /// <param name="weightQuantizer">Quantizer of the weights (the layer owns it), or null for full precision.</param>
    /// <param name="inputQuantizer">Quantizer of the input (the layer owns it), or null for full precision.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    public QuantLinear(
        long inFeatures, long outFeatures, bool bias, Quantizer? weightQuantizer, Quantizer? inputQuantizer, Generator? generator = null)
        : base(inFeatures, outFeatures, bias, generator)
    {
        WeightQuantizer = weightQuantizer is null ? null : RegisterModule("weight_quantizer", weightQuantizer);
        InputQuantizer = inputQuantizer is null ? null : RegisterModule("input_quantizer", inputQuantizer);
        Bits = new BitWidths(weightQuantizer?.Bits ?? BitWidths.FullPrecisionBits, inputQuantizer?.Bits ?? BitWidths.FullPrecisionBits);
    }

    /// <inheritdoc/>
    public BitWidths Bits { get; }

    /// <inheritdoc/>
    public Quantizer? WeightQuantizer { get; }

    /// <inheritdoc/>
    public Quantizer? InputQuantizer { get; }

    /// <inheritdoc/>
    public IInputPerturbation? InputPerturbation { get; set; }

    /// <summary>quantize(input) quantize(weight)^T + bias (in training mode the input is first perturbed by
    /// <see cref="InputPerturbation"/>, if set).</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var x = IsTraining && InputPerturbation is { } perturbation ? perturbation.Perturb(input) : input;
        x = InputQuantizer?.Forward(x) ?? x;
        var w = WeightQuantizer?.Forward(Weight) ?? Weight;
        return scope.MoveToOuter(Functional.Linear(x, w, Bias));
    }

    /// <summary>The layer's description with its bit-widths.</summary>
    public override string ToString() => "Quant" + base.ToString().TrimEnd(')') + ", " + Bits + ")";
}
