using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Quantization;

/// <summary>
/// A <see cref="Conv2d"/> that convolves its quantized input with its quantized weights. State-dict keys are
/// the full-precision layer's (<c>weight</c>, <c>bias</c>) followed by the quantizers' under
/// <c>weight_quantizer.</c> and <c>input_quantizer.</c>, so a student loads its teacher's checkpoint with
/// <c>strict: false</c> (or <see cref="QuantizationExtensions.LoadTeacherState"/>) and only quantizer keys are missing.
/// </summary>
public class QuantConv2d : Conv2d, IQuantizedLayer
{
    /// <summary>Creates the layer; weights are drawn as <see cref="Conv2d"/> draws them.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding.</param>
    /// <param name="bias">Whether the layer has a bias (never quantized).</param>
    /// <param name="weightQuantizer">Quantizer of the weights (the layer owns it), or null for full precision.</param>
    /// <param name="inputQuantizer">Quantizer of the input (the layer owns it), or null for full precision.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <param name="groups">Channel groups (<c>inChannels</c> for a depthwise convolution).</param>
    public QuantConv2d(
        long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias,
        Quantizer? weightQuantizer, Quantizer? inputQuantizer, Generator? generator = null, long groups = 1)
        : base(inChannels, outChannels, kernelSize, stride, padding, bias, generator, groups)
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

    /// <summary>Convolves quantize(input) with quantize(weight), plus the full-precision bias (in training mode the input
    /// is first perturbed by <see cref="InputPerturbation"/>, if set).</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var x = IsTraining && InputPerturbation is { } perturbation ? perturbation.Perturb(input) : input;
        x = InputQuantizer?.Forward(x) ?? x;
        var w = WeightQuantizer?.Forward(Weight) ?? Weight;
        if (w.MemoryFormat != Weight.MemoryFormat)
        {
            // Element-wise ops may give a one-channel kernel (the stem's) row-major strides back; libtorch runs a
            // channels-last convolution only when the input or the kernel has channels-last strides.
            w = w.ToMemoryFormat(Weight.MemoryFormat);
        }

        return scope.MoveToOuter(Functional.Conv2d(x, w, Bias, (Stride, Stride), (Padding, Padding), groups: Groups));
    }

    /// <summary>The convolution's description with its bit-widths, e.g. <c>QuantConv2d(16, 32, ..., W4A4)</c>.</summary>
    public override string ToString() => "Quant" + base.ToString().TrimEnd(')') + ", " + Bits + ")";
}
