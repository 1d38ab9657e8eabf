using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>
/// In training mode zeroes each element with probability p and scales the others by 1 / (1 - p)
/// (torch.nn.Dropout, drawing from the global generator); in evaluation mode the identity. No parameters.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must lie in [0, 1]");
        }

        P = p;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>The dropped-out input (training mode) or a new handle to the input itself (evaluation mode).</summary>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, IsTraining);

    /// <summary>PyTorch's description, e.g. <c>Dropout(p=0.5, inplace=False)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Dropout(p={P:G}, inplace=False)");
}
