namespace Sweeps.Reports;

/// <summary>Sample statistics.</summary>
internal static class Statistics
{
    /// <summary>The sample standard deviation (n - 1 in the denominator); NaN for fewer than two values.</summary>
    public static double SampleSd(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return double.NaN;
        }

        var mean = values.Average();
        var sum = values.Sum(v => (v - mean) * (v - mean));
        return Math.Sqrt(sum / (values.Count - 1));
    }
}
