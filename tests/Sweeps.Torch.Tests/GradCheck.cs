namespace Sweeps.Torch.Tests;

/// <summary>
/// Compares autograd gradients with central finite differences in float64:
/// L = sum(f(inputs) * w) with fixed weights w; dL/dx_j ~ (L(x_j + h) - L(x_j - h)) / 2h.
/// </summary>
internal static class GradCheck
{
    public static void Check(string what, Func<Tensor[], Tensor> f, params double[][] inputValues) =>
        Check(what, f, inputValues.Select(v => new[] { (long)v.Length }).ToArray(), inputValues);

    public static void Check(string what, Func<Tensor[], Tensor> f, long[][] shapes, double[][] inputValues, double h = 1e-6, double rtol = 1e-5, double atol = 1e-7)
    {
        using var scope = DisposeScope.Enter();
        var inputs = inputValues.Select((v, i) => Tensor.From(v, shapes[i]).WithRequiresGrad()).ToArray();
        var output = f(inputs);
        var n = (int)output.NumElements;
        var weights = Tensor.From(Enumerable.Range(0, n).Select(i => Math.Cos((0.7 * i) + 0.3)).ToArray(), output.Shape);
        (output * weights).Sum().Backward();

        for (var k = 0; k < inputs.Length; k++)
        {
            var analytic = inputs[k].Grad?.ToArray<double>() ?? new double[inputValues[k].Length];
            var numeric = new double[inputValues[k].Length];
            for (var j = 0; j < numeric.Length; j++)
            {
                numeric[j] = (Loss(f, inputValues, shapes, weights, k, j, h) - Loss(f, inputValues, shapes, weights, k, j, -h)) / (2 * h);
            }

            TestAssert.Close(numeric, analytic, rtol, atol, $"{what}: d/d input {k}");
        }
    }

    private static double Loss(Func<Tensor[], Tensor> f, double[][] values, long[][] shapes, Tensor weights, int k, int j, double delta)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var inputs = values.Select((v, i) =>
        {
            var copy = (double[])v.Clone();
            if (i == k)
            {
                copy[j] += delta;
            }

            return Tensor.From(copy, shapes[i]);
        }).ToArray();
        return (f(inputs) * weights).Sum().ToDouble();
    }

    /// <summary>Deterministic test values in [-1, 1] (away from kinks at 0 when offset).</summary>
    public static double[] Values(int n, double phase = 0.1, double scale = 1) =>
        Enumerable.Range(0, n).Select(i => scale * Math.Sin((0.37 * i) + phase)).ToArray();

    public static double[] Positive(int n, double phase = 0.2) =>
        Enumerable.Range(0, n).Select(i => Math.Cos((0.23 * i) + phase) + 1.5).ToArray();
}
