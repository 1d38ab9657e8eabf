namespace Sweeps.Torch.NN;

/// <summary>max(x, 0) (torch.nn.ReLU). No parameters.</summary>
/// <param name="inPlace">Overwrite the input and return it (saves memory; the input must not be needed by autograd).</param>
public sealed class ReLU(bool inPlace = false) : Module
{
    /// <summary>Whether the input is overwritten.</summary>
    public bool InPlace { get; } = inPlace;

    /// <summary>max(x, 0): a new tensor, or the input itself when <see cref="InPlace"/>.</summary>
    public override Tensor Forward(Tensor input) => InPlace ? Functional.ReluInPlace(input) : Functional.Relu(input);

    /// <summary>PyTorch's description: <c>ReLU()</c> or <c>ReLU(inplace=True)</c>.</summary>
    public override string ToString() => InPlace ? "ReLU(inplace=True)" : "ReLU()";
}
