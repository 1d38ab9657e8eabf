namespace Sweeps.Reports.Tests;

/// <summary>Student t quantiles and distribution function against published t-table values and closed forms.</summary>
public sealed class StudentTTests
{
    // Two-sided 95 % critical values t(0.975; df), as printed in standard t tables (e.g. NIST/SEMATECH e-Handbook
    // of Statistical Methods, table 1.3.6.7.2), to three decimals.
    [Theory]
    [InlineData(1, 12.706)]
    [InlineData(2, 4.303)]
    [InlineData(3, 3.182)]
    [InlineData(4, 2.776)]
    [InlineData(5, 2.571)]
    [InlineData(6, 2.447)]
    [InlineData(7, 2.365)]
    [InlineData(8, 2.306)]
    [InlineData(9, 2.262)]
    [InlineData(10, 2.228)]
    [InlineData(15, 2.131)]
    [InlineData(20, 2.086)]
    [InlineData(30, 2.042)]
    [InlineData(60, 2.000)]
    [InlineData(100, 1.984)]
    public void Quantile_0975_MatchesPublishedTable(int df, double published) =>
        Assert.Equal(published, StudentT.Quantile(0.975, df), 0.0005);

    [Theory]
    [InlineData(0.95, 1, 6.314)]
    [InlineData(0.95, 4, 2.132)]
    [InlineData(0.995, 2, 9.925)]
    [InlineData(0.995, 5, 4.032)]
    [InlineData(0.9995, 1, 636.619)]
    [InlineData(0.90, 3, 1.638)]
    public void Quantile_OtherLevels_MatchPublishedTable(double p, int df, double published) =>
        Assert.Equal(published, StudentT.Quantile(p, df), 0.0005);

    [Fact]
    public void Quantile_LargeDf_ApproachesNormal() =>
        Assert.Equal(1.959964, StudentT.Quantile(0.975, 1e7), 0.00001);

    [Theory]
    [InlineData(0.6)]
    [InlineData(0.9)]
    [InlineData(0.975)]
    [InlineData(0.999)]
    [InlineData(0.01)]
    public void Quantile_Df1And2_MatchClosedForms(double p)
    {
        // df = 1 is the Cauchy distribution: t = tan(pi (p - 1/2)); df = 2: t = (2p - 1) / sqrt(2 p (1 - p)).
        Assert.Equal(Math.Tan(Math.PI * (p - 0.5)), StudentT.Quantile(p, 1), 1e-9 * Math.Max(1, Math.Abs(Math.Tan(Math.PI * (p - 0.5)))));
        Assert.Equal((2 * p - 1) / Math.Sqrt(2 * p * (1 - p)), StudentT.Quantile(p, 2), 1e-9);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(34.64)]
    [InlineData(-3.0)]
    public void Cdf_Df1And2_MatchClosedForms(double t)
    {
        Assert.Equal(0.5 + Math.Atan(t) / Math.PI, StudentT.Cdf(t, 1), 1e-12);
        Assert.Equal(0.5 + t / (2 * Math.Sqrt(2 + t * t)), StudentT.Cdf(t, 2), 1e-12);
        Assert.Equal(1 - Math.Abs(t) / Math.Sqrt(2 + t * t), StudentT.TwoSidedP(t, 2), 1e-12);
    }

    [Fact]
    public void TwoSidedP_AtTheCriticalValue_IsFivePercent()
    {
        foreach (var df in new[] { 1, 2, 3, 7, 29 })
        {
            Assert.Equal(0.05, StudentT.TwoSidedP(StudentT.Quantile(0.975, df), df), 1e-10);
        }
    }

    [Fact]
    public void PairedComparison_ThreeSeeds_MatchesHandCalculation()
    {
        // d = 0.02, 0.021, 0.019: mean 0.02, sd 0.001, se 0.001/sqrt(3), t = 34.641, df 2.
        var c = PairedComparison.FromDifferences([0.02, 0.021, 0.019]);
        Assert.Equal(0.02, c.MeanDifference, 1e-12);
        Assert.Equal(0.001, c.SdDifference, 1e-12);
        Assert.Equal(34.641, c.T, 0.001);
        Assert.Equal(4.303, c.Critical, 0.0005);
        Assert.Equal(0.02 - 4.303 * 0.001 / Math.Sqrt(3), c.Lower, 1e-6);
        Assert.True(c.BeyondNoise);

        // d = 0.01, -0.012, 0.003: mean 0.00033, sd 0.01124, t = 0.051, within noise.
        var n = PairedComparison.FromDifferences([0.01, -0.012, 0.003]);
        Assert.False(n.BeyondNoise);
        Assert.True(n.Testable);

        // One pair: no test.
        var one = PairedComparison.FromDifferences([0.05]);
        Assert.False(one.Testable);
        Assert.False(one.BeyondNoise);
    }

    [Fact]
    public void PairedComparison_IdenticalNonZeroDifferences_IsBeyondNoise()
    {
        var c = PairedComparison.FromDifferences([0.01, 0.01]);
        Assert.True(double.IsPositiveInfinity(c.T));
        Assert.True(c.BeyondNoise);
        Assert.False(PairedComparison.FromDifferences([0.0, 0.0]).BeyondNoise);
    }
}
