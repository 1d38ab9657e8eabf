namespace Sweeps.Training.Quantization;

/// <summary>What a quantizer is applied to; it decides the sign convention and the initialisation.</summary>
public enum QuantizationTarget
{
    /// <summary>A layer's weights (signed).</summary>
    Weights,

    /// <summary>A layer's input activations (unsigned after ReLU, unless the quantizer is created signed).</summary>
    Activations,
}
