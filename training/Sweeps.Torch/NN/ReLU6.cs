namespace Sweeps.Torch.NN;

/// <summary>min(max(x, 0), 6) (torch.nn.ReLU6, as MobileNetV2 uses it). No parameters. The gradient passes where
/// 0 &lt; x &lt; 6.</summary>
public sealed class ReLU6 : Module
{
    /// <summary>min(max(x, 0), 6): a new tensor.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Clamp(0, 6);
    }

    /// <summary>PyTorch's description: <c>ReLU6()</c>.</summary>
    public override string ToString() => "ReLU6()";
}
