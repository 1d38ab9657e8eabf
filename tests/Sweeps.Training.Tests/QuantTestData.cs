using Sweeps.Torch;

namespace Sweeps.Training.Tests;

/// <summary>Inputs of the quantizer tests, from the closed formulas reference/quant_reference.py uses.</summary>
internal static class QuantTestData
{
    public const int N = 24;

    public static float[] Activations => Seq(i => (2.5 * Math.Sin((0.37 * i) + 0.1)) + 0.3);

    public static float[] Weights => Seq(i => 0.2 * Math.Sin((0.53 * i) + 0.2));

    public static float[] Upstream => Seq(i => Math.Cos((0.29 * i) + 0.4));

    public static float[] Seq(Func<int, double> f, int n = N) => Enumerable.Range(0, n).Select(i => (float)f(i)).ToArray();

    public static float[] Values(Tensor t) => t.Detach().Contiguous().ToArray<float>();

    public static double[] Doubles(Tensor t) => Values(t).Select(v => (double)v).ToArray();

    /// <summary>Sets a one-element parameter without recording it.</summary>
    public static void Set(Tensor parameter, double value)
    {
        using var noGrad = new NoGradScope();
        parameter.FillInPlace(value);
    }
}
