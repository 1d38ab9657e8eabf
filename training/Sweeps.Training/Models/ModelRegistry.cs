using Sweeps.Torch;

namespace Sweeps.Training.Models;

/// <summary>Creates models by name: <c>resnet20</c>, <c>resnet32</c>, <c>vgg8</c> (case-sensitive).</summary>
public static class ModelRegistry
{
    private static readonly string[] s_names = ["resnet20", "resnet32", "vgg8"];

    /// <summary>The known model names.</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>Creates the model <paramref name="name"/>; the caller owns (and disposes) it.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="inputChannels">Channels of the input images (1 for Fashion-MNIST, 3 for CIFAR).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="factory">Creates every conv and linear layer (<see cref="FullPrecisionLayerFactory.Instance"/> for a
    /// full-precision model).</param>
    /// <param name="generator">Random source of the initial weights (the same seed gives the same model); null uses
    /// the global generator.</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public static ClassifierModel Create(string name, int inputChannels, int classes, ILayerFactory factory, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        return name switch
        {
            "resnet20" => ResNetCifar.ResNet20(inputChannels, classes, factory, generator),
            "resnet32" => ResNetCifar.ResNet32(inputChannels, classes, factory, generator),
            "vgg8" => new Vgg8(inputChannels, classes, factory, generator),
            _ => throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", s_names)}", nameof(name)),
        };
    }
}
