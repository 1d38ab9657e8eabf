using Sweeps.Torch.NN;

namespace Sweeps.Torch.Tests;

/// <summary>The closed-form inputs and weights shared with reference/nn_reference.py.</summary>
internal static class NNTestData
{
    /// <summary>scale * sin(0.37 i + offset + 0.1) for the row-major index i, as a Float32 tensor of the shape.</summary>
    public static Tensor Formula(long[] shape, double offset = 0, double scale = 1)
    {
        long n = 1;
        foreach (var s in shape)
        {
            n *= s;
        }

        var data = new float[n];
        for (var i = 0; i < n; i++)
        {
            data[i] = (float)(scale * Math.Sin((0.37 * i) + offset + 0.1));
        }

        return Tensor.From(data, shape);
    }

    /// <summary>Sets parameter j (in NamedParameters order) to 0.3 sin(0.37 i + 0.5 j + 0.1).</summary>
    public static void SetParameters(Module module)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var j = 0;
        foreach (var p in module.Parameters())
        {
            p.CopyFrom(Formula(p.Shape, 0.5 * j, 0.3));
            j++;
        }
    }

    public static double[] Values(Tensor t)
    {
        using var scope = DisposeScope.Enter();
        using var f = t.Detach().To(ScalarType.Float64);
        return f.Contiguous().ToArray<double>();
    }
}
