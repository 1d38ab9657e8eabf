using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>Size of a model: parameter and weight counts, and the storage of the weights at given bit-widths.</summary>
public static class ModelSize
{
    /// <summary>Number of elements of every parameter (weights, biases, BatchNorm scales and shifts).</summary>
    public static long ParameterCount(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Parameters().Sum(p => p.NumElements);
    }

    /// <summary>
    /// Number of elements of the weights of every convolution and linear layer (biases and BatchNorm parameters
    /// excluded): the numbers a weight quantizer stores.
    /// </summary>
    public static long WeightCount(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long total = 0;
        foreach (var module in model.Modules())
        {
            total += module switch
            {
                Conv2d c => c.Weight.NumElements,
                Linear l => l.Weight.NumElements,
                _ => 0,
            };
        }

        return total;
    }

    /// <summary>
    /// Storage of the conv and linear weights in bits: the sum over <see cref="ClassifierModel.WeightLayers"/> of
    /// weight count x <paramref name="bitsOf"/>(layer) (e.g. 8 for the first and last layers, 4 elsewhere).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="bitsOf">Bit-width of each layer's weights (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">A bit-width is not positive.</exception>
    public static long WeightBits(ClassifierModel model, Func<WeightLayer, int> bitsOf)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(bitsOf);
        long total = 0;
        foreach (var layer in model.WeightLayers)
        {
            var bits = bitsOf(layer);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bits);
            total += layer.WeightCount * bits;
        }

        return total;
    }
}
