namespace Sweeps.Torch.NN;

/// <summary>Which fan Kaiming initialisation scales by (torch.nn.init's <c>mode</c>).</summary>
public enum FanMode
{
    /// <summary>Input connections per output unit: preserves the variance of activations in the forward pass.</summary>
    FanIn,

    /// <summary>Output connections per input unit: preserves the variance of gradients in the backward pass.</summary>
    FanOut,
}
