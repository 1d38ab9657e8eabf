using Sweeps.Torch;

namespace Sweeps.Training.Models;

/// <summary>Creates models by name: <c>resnet20</c>, <c>resnet32</c>, <c>vgg8</c> (CIFAR-size), <c>resnet18</c> and
/// <c>mobilenetv2</c> (torchvision's architectures and state-dict keys). Names are case-sensitive.</summary>
public static class ModelRegistry
{
    /// <summary>Inputs whose shorter side is below this many pixels get the small-input stem of <c>resnet18</c> and
    /// <c>mobilenetv2</c> (see <see cref="ResNet18"/>, <see cref="MobileNetV2"/>); at this size and above they use
    /// torchvision's stem.</summary>
    public const int SmallInputBelow = 128;

    private static readonly string[] s_names = ["resnet20", "resnet32", "vgg8", "resnet18", "mobilenetv2"];

    /// <summary>The known model names.</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>Creates the model <paramref name="name"/>; the caller owns (and disposes) it.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="inputChannels">Channels of the input images (1 for Fashion-MNIST, 3 for CIFAR and image folders).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="factory">Creates every conv and linear layer (<see cref="FullPrecisionLayerFactory.Instance"/> for a
    /// full-precision model).</param>
    /// <param name="generator">Random source of the initial weights (the same seed gives the same model); null uses
    /// the global generator.</param>
    /// <param name="inputSize">The shorter side of the input images in pixels: below <see cref="SmallInputBelow"/>
    /// <c>resnet18</c> and <c>mobilenetv2</c> use their small-input stem; null means torchvision's stem. The CIFAR-size
    /// models ignore it.</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public static ClassifierModel Create(string name, int inputChannels, int classes, ILayerFactory factory, Generator? generator = null, int? inputSize = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        var small = inputSize is { } size && size < SmallInputBelow;
        return name switch
        {
            "resnet20" => ResNetCifar.ResNet20(inputChannels, classes, factory, generator),
            "resnet32" => ResNetCifar.ResNet32(inputChannels, classes, factory, generator),
            "vgg8" => new Vgg8(inputChannels, classes, factory, generator),
            "resnet18" => new ResNet18(inputChannels, classes, factory, generator, small),
            "mobilenetv2" => new MobileNetV2(inputChannels, classes, factory, generator, small),
            _ => throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", s_names)}", nameof(name)),
        };
    }
}
