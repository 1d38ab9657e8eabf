using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>A convolution or linear layer of a <see cref="ClassifierModel"/>, with the role it was created for.</summary>
/// <param name="Name">Dotted module name, as in the state dict (<c>layer1.0.conv1</c>).</param>
/// <param name="Layer">The layer (a <see cref="Conv2d"/> or <see cref="Linear"/>, possibly a quantizing subclass); owned by the model.</param>
/// <param name="Role">The role the layer factory was asked for.</param>
public sealed record WeightLayer(string Name, Module Layer, LayerRole Role)
{
    /// <summary>The layer's weight tensor (owned by the layer; do not dispose).</summary>
    public Tensor Weight => Layer switch
    {
        Conv2d c => c.Weight,
        Linear l => l.Weight,
        _ => throw new InvalidOperationException($"layer '{Name}' is neither a Conv2d nor a Linear"),
    };

    /// <summary>Number of elements of the weight (biases excluded).</summary>
    public long WeightCount => Weight.NumElements;
}
