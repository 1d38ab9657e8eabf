using Sweeps.Torch;
using Sweeps.Torch.Tests;

namespace Sweeps.Training.Tests;

/// <summary>Closed-form inputs shared with reference/models.py.</summary>
internal static class ModelTestData
{
    /// <summary>sin(0.37 i + 0.1) (or cos(0.23 i) when <paramref name="cosine"/>) for the row-major index i.</summary>
    public static Tensor Input(long[] shape, bool cosine = false)
    {
        if (!cosine)
        {
            return NNTestData.Formula(shape);
        }

        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)Math.Cos(0.23 * i);
        }

        return Tensor.From(data, shape);
    }

    public static double[] Values(Tensor t) => NNTestData.Values(t);

    public static double Sum(Tensor t) => Values(t).Sum();
}
