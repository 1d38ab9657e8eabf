using System.Collections;
using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>
/// Applies its children in order (torch.nn.Sequential); the children are named "0", "1", ... so nested names
/// read <c>layer1.0.conv1.weight</c> as in PyTorch. Enumerating yields the children in order.
/// </summary>
/// <remarks>The intermediate activations of <see cref="Forward"/> are new tensors in the caller's current
/// <see cref="DisposeScope"/> (autograd needs them until backward).</remarks>
public sealed class Sequential : Module, IReadOnlyList<Module>
{
    private readonly List<Module> _layers = [];

    /// <summary>A container of <paramref name="layers"/>, in order (it owns them).</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>Number of children.</summary>
    public int Count => _layers.Count;

    /// <summary>The child at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>Appends a child under the next index name; returns this container.</summary>
    public Sequential Add(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Feeds the input through every child in order; an empty container returns a new handle to the input.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var layers = _layers;
        if (layers.Count == 0)
        {
            return input.Alias();
        }

        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x);
        }

        return x;
    }

    /// <summary>The children in order.</summary>
    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
