using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>
/// y = x W^T + b (torch.nn.Linear). Parameters: <c>weight</c> [out, in] and, unless disabled, <c>bias</c> [out],
/// initialised as PyTorch does: Kaiming uniform with a = sqrt(5) (i.e. U(-1/sqrt(in), 1/sqrt(in))) and bias
/// U(-1/sqrt(in), 1/sqrt(in)).
/// </summary>
public class Linear : Module
{
    /// <summary>Creates the layer and draws its initial weights (weight first, then bias, as PyTorch).</summary>
    /// <param name="inFeatures">Input features (the last dimension of the input).</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(long inFeatures, long outFeatures, bool bias = true, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Empty([outFeatures, inFeatures]));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5), generator: generator);
        if (bias)
        {
            var bound = 1 / Math.Sqrt(inFeatures);
            Bias = RegisterParameter("bias", Tensor.Empty([outFeatures]));
            Init.Uniform(Bias, -bound, bound, generator);
        }
    }

    /// <summary>Input features.</summary>
    public long InFeatures { get; }

    /// <summary>Output features.</summary>
    public long OutFeatures { get; }

    /// <summary>The weight [out, in] (owned by this module).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null (owned by this module).</summary>
    public Tensor? Bias { get; }

    /// <summary>Maps [..., in] to [..., out].</summary>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <summary>PyTorch's description, e.g. <c>Linear(in_features=64, out_features=10, bias=True)</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is null ? "False" : "True")})");
}
