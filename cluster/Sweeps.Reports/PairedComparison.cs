namespace Sweeps.Reports;

/// <summary>A method against plain QAT at one bit-width, paired over the seeds both completed: the differences
/// d_i = acc(method, seed i) - acc(qat, seed i), a two-sided paired t-test at 95 % (df = n - 1) and the 95 %
/// confidence interval of the mean difference. Fractions 0..1.</summary>
internal sealed record PairedComparison
{
    /// <summary>Seeds both completed.</summary>
    public required int Pairs { get; init; }

    /// <summary>Mean of the differences.</summary>
    public required double MeanDifference { get; init; }

    /// <summary>Sample standard deviation of the differences (n - 1 in the denominator); NaN for one pair.</summary>
    public required double SdDifference { get; init; }

    /// <summary>t = mean / (sd / sqrt(n)); NaN for one pair; infinite when every difference is the same non-zero value.</summary>
    public required double T { get; init; }

    /// <summary>Two-sided p-value, NaN for one pair.</summary>
    public required double P { get; init; }

    /// <summary>The Student t quantile t(0.975; n - 1); NaN for one pair.</summary>
    public required double Critical { get; init; }

    /// <summary>95 % confidence interval of the mean difference (NaN for one pair).</summary>
    public required double Lower { get; init; }

    /// <summary>Upper end of the 95 % confidence interval.</summary>
    public required double Upper { get; init; }

    /// <summary>Whether the test can be done: at least two pairs.</summary>
    public bool Testable => Pairs >= 2;

    /// <summary>|t| &gt; t(0.975; n - 1): the difference is beyond the seed-to-seed noise at 95 %.</summary>
    public bool BeyondNoise => Testable && Math.Abs(T) > Critical;

    /// <summary>Computes the comparison from the paired differences.</summary>
    public static PairedComparison FromDifferences(IReadOnlyList<double> differences)
    {
        var n = differences.Count;
        var mean = n == 0 ? double.NaN : differences.Average();
        if (n < 2)
        {
            return new PairedComparison
            {
                Pairs = n, MeanDifference = mean, SdDifference = double.NaN, T = double.NaN, P = double.NaN,
                Critical = double.NaN, Lower = double.NaN, Upper = double.NaN,
            };
        }

        var sd = Statistics.SampleSd(differences);
        var se = sd / Math.Sqrt(n);
        var critical = StudentT.Quantile(0.975, n - 1);
        var t = se > 0 ? mean / se : mean == 0 ? 0 : Math.CopySign(double.PositiveInfinity, mean);
        return new PairedComparison
        {
            Pairs = n,
            MeanDifference = mean,
            SdDifference = sd,
            T = t,
            P = StudentT.TwoSidedP(t, n - 1),
            Critical = critical,
            Lower = mean - critical * se,
            Upper = mean + critical * se,
        };
    }
}
