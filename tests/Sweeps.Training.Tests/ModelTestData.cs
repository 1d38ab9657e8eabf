using Sweeps.Torch;

namespace Sweeps.Training.Tests;

/// <summary>Closed-form inputs shared with reference/models.py.</summary>
internal static class ModelTestData
{
    /// <summary>sin(0.37 i + 0.1) (or cos(0.23 i) when <paramref name="cosine"/>) for the row-major index i.</summary>
    public static Tensor Input(long[] shape, bool cosine = false)
    {
        long n = 1;
        foreach (var s in shape)
        {
            n *= s;
        }

        var data = new float[n];
        for (var i = 0; i < n; i++)
        {
            data[i] = (float)(cosine ? Math.Cos(0.23 * i) : Math.Sin((0.37 * i) + 0.1));
        }

        return Tensor.From(data, shape);
    }

    public static double[] Values(Tensor t)
    {
        using var scope = DisposeScope.Enter();
        return t.Detach().To(ScalarType.Float64).Contiguous().ToArray<double>();
    }

    public static double Sum(Tensor t) => Values(t).Sum();
}
