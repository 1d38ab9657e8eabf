namespace Sweeps.Training.Models;

/// <summary>Where a convolution or linear layer sits in a model; the quantization policy depends on it
/// (METHODS.md: the first conv and the last linear stay at 8 bits by default).</summary>
public enum LayerRole
{
    /// <summary>The first convolution (the stem), which sees the input image.</summary>
    First,

    /// <summary>Any layer between the first and the last.</summary>
    Hidden,

    /// <summary>The last linear layer (the classifier).</summary>
    Last,
}
