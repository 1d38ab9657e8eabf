namespace Sweeps.Torch.Tests;

/// <summary>Numeric assertions with tolerances.</summary>
internal static class TestAssert
{
    /// <summary>Every |actual - expected| &lt;= atol + rtol |expected|, with the first offending index in the message.</summary>
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} values, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            var tol = atol + (rtol * Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= tol || (double.IsNaN(expected[i]) && double.IsNaN(actual[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tol:G3})");
        }
    }

    /// <summary>The row-major strides of a shape (those torch.empty gives it; a size-1 dimension counts as 1).</summary>
    public static long[] RowMajorStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= Math.Max(shape[d], 1);
        }

        return strides;
    }

    /// <summary>Float overload of <see cref="Close(IReadOnlyList{double}, IReadOnlyList{double}, double, double, string)"/>.</summary>
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double rtol = 1e-5, double atol = 1e-6, string what = "") =>
        Close(expected, actual.Select(x => (double)x).ToArray(), rtol, atol, what);
}
