namespace Sweeps.Training.Quantization;

/// <summary>A convolution or linear layer (a module, hence disposable) that quantizes its weights and its input.</summary>
public interface IQuantizedLayer : IDisposable
{
    /// <summary>The bit-widths this layer runs at (32 on a side that is not quantized).</summary>
    BitWidths Bits { get; }

    /// <summary>The weight quantizer (child <c>weight_quantizer</c>), or null when weights stay full precision.</summary>
    Quantizer? WeightQuantizer { get; }

    /// <summary>The input quantizer (child <c>input_quantizer</c>), or null when inputs stay full precision.</summary>
    Quantizer? InputQuantizer { get; }

    /// <summary>Applied to the layer's input before its quantizer, in training mode only; null (the default) for none.
    /// The layer does not own it.</summary>
    IInputPerturbation? InputPerturbation { get; set; }
}
