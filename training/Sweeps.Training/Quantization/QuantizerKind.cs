namespace Sweeps.Training.Quantization;

/// <summary>The quantizer family of a trial (METHODS.md, "Quantizers").</summary>
public enum QuantizerKind
{
    /// <summary>EWGS / unified: learnable interval [l, u] with element-wise gradient scaling (the default).</summary>
    Ewgs,

    /// <summary>LSQ: learned step size with a scaled step gradient.</summary>
    Lsq,

    /// <summary>PACT for activations (learned clip alpha) and DoReFa for weights.</summary>
    Pact,
}
