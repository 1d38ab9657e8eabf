using System.Text.Json;
using Sweeps.Torch.Optim;

namespace Sweeps.Torch.Tests;

/// <summary>
/// The small problem of reference/optim_trajectories.py: three float32 tensors in two groups and a
/// quadratic loss, plus the optimizer configurations that script runs.
/// </summary>
internal static class OptimProblem
{
    public const int Steps = 5;

    public static readonly string[] Configs = ["sgd_nesterov", "sgd_dampening", "adam", "adam_amsgrad", "adamw"];

    private static readonly Lazy<JsonElement> s_reference = new(() => PythonReference.Run("optim_trajectories.py"));

    /// <summary>The output of optim_trajectories.py (one python run per test process).</summary>
    public static JsonElement Reference => s_reference.Value;

    /// <summary>a1 [2,3], a2 [4] (group A) and b1 [3] (group B), leaves requiring a gradient.</summary>
    public static Tensor[] Parameters() =>
    [
        Tensor.From(Enumerable.Range(0, 6).Select(i => (float)Math.Sin((0.37 * i) + 0.1)).ToArray(), 2, 3).WithRequiresGrad(),
        Tensor.From(Enumerable.Range(0, 4).Select(i => (float)Math.Cos((0.21 * i) + 0.3)).ToArray()).WithRequiresGrad(),
        Tensor.From(Enumerable.Range(0, 3).Select(i => (float)(0.5 + (0.1 * i))).ToArray()).WithRequiresGrad(),
    ];

    /// <summary>Copies of the values of <paramref name="ps"/> as new leaves requiring a gradient.</summary>
    public static Tensor[] CopiesOf(Tensor[] ps) => ps.Select(p => Tensor.From(p.ToArray<float>(), p.Shape).WithRequiresGrad()).ToArray();

    /// <summary>sum over tensors of sum_i 0.5 k_i p_i^2 + c_i p_i.</summary>
    public static Tensor Loss(Tensor[] ps)
    {
        Tensor? total = null;
        foreach (var p in ps)
        {
            var n = (int)p.NumElements;
            var k = Tensor.From(Enumerable.Range(0, n).Select(i => (float)(1 + (0.3 * (i % 5)))).ToArray(), p.Shape);
            var c = Tensor.From(Enumerable.Range(0, n).Select(i => (float)(0.2 * Math.Cos((0.5 * i) + 0.7))).ToArray(), p.Shape);
            var term = ((p.Square() * k * 0.5) + (c * p)).Sum();
            total = total is null ? term : total + term;
        }

        return total!;
    }

    /// <summary>The optimizer of a configuration, with the same options as the python script.</summary>
    public static Optimizer Create(string config, Tensor[] ps)
    {
        var a = new[] { ps[0], ps[1] };
        var b = new[] { ps[2] };
        return config switch
        {
            "sgd_nesterov" => new Sgd(
                [new ParamGroup(a), new ParamGroup(b, learningRate: 0.02, weightDecay: 0)],
                new SgdOptions(0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01)),
            "sgd_dampening" => new Sgd(
                [new ParamGroup(a), new ParamGroup(b, learningRate: 0.2, weightDecay: 0.05)],
                new SgdOptions(0.05, Momentum: 0.8, Dampening: 0.3, WeightDecay: 0.001)),
            "adam" => new Adam(
                [new ParamGroup(a), new ParamGroup(b, learningRate: 1e-3, weightDecay: 0)],
                new AdamOptions(0.05, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.01)),
            "adam_amsgrad" => new Adam(
                [new ParamGroup(a), new ParamGroup(b, learningRate: 0.01)],
                new AdamOptions(0.03, AmsGrad: true, WeightDecay: 0.1)),
            "adamw" => new AdamW(
                [new ParamGroup(a), new ParamGroup(b, learningRate: 1e-2, weightDecay: 0)],
                new AdamOptions(0.05, WeightDecay: 0.1)),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
    }

    /// <summary>One training step: clear the gradients, backward of the loss, optimizer step.</summary>
    public static void TrainStep(Optimizer optimizer, Tensor[] ps)
    {
        optimizer.ZeroGrad();
        using (DisposeScope.Enter())
        {
            Loss(ps).Backward();
        }

        optimizer.Step();
    }

    /// <summary>Every value of the tensors, concatenated, as doubles.</summary>
    public static double[] Flat(Tensor[] ps) => ps.SelectMany(p => p.ToArray<float>().Select(x => (double)x)).ToArray();
}
