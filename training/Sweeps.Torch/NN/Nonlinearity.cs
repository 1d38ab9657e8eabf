namespace Sweeps.Torch.NN;

/// <summary>Nonlinearities known to <see cref="Init.CalculateGain"/> (torch.nn.init.calculate_gain).</summary>
public enum Nonlinearity
{
    /// <summary>Identity, and every linear or convolution layer (gain 1).</summary>
    Linear,

    /// <summary>Logistic sigmoid (gain 1).</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent (gain 5/3).</summary>
    Tanh,

    /// <summary>ReLU (gain sqrt(2)).</summary>
    Relu,

    /// <summary>Leaky ReLU with a negative slope (gain sqrt(2 / (1 + slope^2))).</summary>
    LeakyRelu,

    /// <summary>SELU (gain 3/4).</summary>
    Selu,
}
