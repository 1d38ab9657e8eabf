using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// An image classifier whose convolution and linear layers all come from an <see cref="ILayerFactory"/>, so one
/// architecture serves the full-precision teacher and its quantized students. Input [N, <see cref="InputChannels"/>,
/// H, W] (any H, W the architecture can pool down), output logits [N, <see cref="ClassCount"/>].
/// </summary>
/// <remarks>
/// Ownership as for every <see cref="Module"/>: the model owns its layers; outputs of <see cref="Forward"/> and
/// <see cref="ForwardWithFeatures"/> are new tensors in the caller's current <see cref="DisposeScope"/>
/// (intermediate activations are released inside the call; autograd keeps what backward needs).
/// Not thread-safe.
/// </remarks>
public abstract class ClassifierModel : Module
{
    private readonly Dictionary<Module, LayerRole> _roles = new(ReferenceEqualityComparer.Instance);

    /// <summary>Sets the model's description.</summary>
    /// <param name="name">Registry name, e.g. <c>resnet20</c>.</param>
    /// <param name="inputChannels">Channels of the input images (1 for Fashion-MNIST, 3 for CIFAR).</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="featureDimension">Width of the penultimate features.</param>
    /// <param name="factory">Creates every convolution and linear layer.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    protected ClassifierModel(string name, int inputChannels, int classCount, int featureDimension, ILayerFactory factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureDimension);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        InputChannels = inputChannels;
        ClassCount = classCount;
        FeatureDimension = featureDimension;
        Factory = factory;
    }

    /// <summary>Registry name of the architecture (<c>resnet20</c>, <c>resnet32</c>, <c>vgg8</c>, <c>resnet18</c>,
    /// <c>mobilenetv2</c>).</summary>
    public string Name { get; }

    /// <summary>Channels of the input images.</summary>
    public int InputChannels { get; }

    /// <summary>Number of classes (width of the logits).</summary>
    public int ClassCount { get; }

    /// <summary>Width d of the penultimate features [N, d] of <see cref="ForwardWithFeatures"/>.</summary>
    public int FeatureDimension { get; }

    /// <summary>
    /// Every convolution and linear layer with the role it was created for, in module (state-dict) order: the
    /// first is the <see cref="LayerRole.First"/> stem, the last the <see cref="LayerRole.Last"/> classifier.
    /// </summary>
    public IReadOnlyList<WeightLayer> WeightLayers =>
        NamedModules()
            .Where(m => _roles.ContainsKey(m.Module))
            .Select(m => new WeightLayer(m.Name, m.Module, _roles[m.Module]))
            .ToList();

    /// <summary>The factory the layers came from.</summary>
    protected ILayerFactory Factory { get; }

    /// <summary>The final linear layer (features to logits); set by the subclass's constructor.</summary>
    protected abstract Linear Classifier { get; }

    /// <summary>Logits [N, classes] for an input [N, C, H, W].</summary>
    /// <param name="input">The images; not disposed.</param>
    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var features = ForwardFeatures(input, stageOutputs: null);
        return scope.MoveToOuter(Classifier.Forward(ClassifierInput(features)));
    }

    /// <summary>Logits, penultimate features and the stage outputs in one pass (see <see cref="ModelOutput"/>).</summary>
    /// <param name="input">The images [N, C, H, W]; not disposed.</param>
    public ModelOutput ForwardWithFeatures(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var stages = new List<Tensor>();
        var features = ForwardFeatures(input, stages);
        var logits = Classifier.Forward(ClassifierInput(features));
        foreach (var stage in stages)
        {
            scope.MoveToOuter(stage);
        }

        return new ModelOutput(scope.MoveToOuter(logits), scope.MoveToOuter(features), stages);
    }

    /// <summary>
    /// The penultimate features [N, <see cref="FeatureDimension"/>]; appends each stage's output to
    /// <paramref name="stageOutputs"/> when it is not null. Runs inside a scope of the caller: results may be left in
    /// the current scope.
    /// </summary>
    /// <param name="input">The images; not disposed.</param>
    /// <param name="stageOutputs">Receives the stage outputs, or null when they are not wanted.</param>
    protected abstract Tensor ForwardFeatures(Tensor input, List<Tensor>? stageOutputs);

    /// <summary>
    /// What the classifier sees of the penultimate features: the features themselves, unless the architecture puts a
    /// layer between them (MobileNetV2's dropout). Runs inside a scope of the caller.
    /// </summary>
    /// <param name="features">The penultimate features [N, <see cref="FeatureDimension"/>]; not disposed.</param>
    protected virtual Tensor ClassifierInput(Tensor features) => features;

    /// <summary>A convolution from the factory, remembered with its role (register it as a child afterwards).</summary>
    /// <exception cref="InvalidOperationException">The factory returned null.</exception>
    protected Conv2d CreateConv2d(
        long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, LayerRole role, Generator? generator,
        long groups = 1, bool signedInput = false)
    {
        var layer = Factory.Conv2d(inChannels, outChannels, kernelSize, stride, padding, bias, role, generator, groups, signedInput)
            ?? throw new InvalidOperationException($"{Factory.GetType().Name}.Conv2d returned null");
        _roles[layer] = role;
        return layer;
    }

    /// <summary>A linear layer from the factory, remembered with its role (register it as a child afterwards).</summary>
    /// <exception cref="InvalidOperationException">The factory returned null.</exception>
    protected Linear CreateLinear(long inFeatures, long outFeatures, LayerRole role, Generator? generator)
    {
        var layer = Factory.Linear(inFeatures, outFeatures, role, generator)
            ?? throw new InvalidOperationException($"{Factory.GetType().Name}.Linear returned null");
        _roles[layer] = role;
        return layer;
    }

    /// <summary>
    /// Re-draws every convolution weight from Kaiming normal (fan-out, ReLU) as torchvision's ResNet does, in module
    /// order; BatchNorm keeps weight 1, bias 0 and linear layers keep PyTorch's default initialisation.
    /// </summary>
    /// <param name="generator">The random source; null uses the global generator.</param>
    protected void InitializeConvolutions(Generator? generator)
    {
        foreach (var module in Modules())
        {
            if (module is Conv2d conv)
            {
                Init.KaimingNormal(conv.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: generator);
            }
        }
    }
}
