namespace Sweeps.Reports;

/// <summary>Student's t distribution: distribution function and quantiles for any degrees of freedom (no normal
/// approximation, so small samples get their proper, wider quantiles: t(0.975; 2) = 4.303).</summary>
internal static class StudentT
{
    /// <summary>P(T &lt;= t) for <paramref name="df"/> degrees of freedom (df &gt; 0).</summary>
    public static double Cdf(double t, double df)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(df);
        if (double.IsPositiveInfinity(t))
        {
            return 1;
        }

        if (double.IsNegativeInfinity(t))
        {
            return 0;
        }

        // P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t^2) (Abramowitz and Stegun 26.7.1 / 26.5.27).
        var tail = RegularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5) / 2;
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>Two-sided p-value of a t statistic: P(|T| &gt;= |t|).</summary>
    public static double TwoSidedP(double t, double df)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(df);
        return double.IsInfinity(t) ? 0 : RegularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
    }

    /// <summary>The quantile: the t with P(T &lt;= t) = <paramref name="p"/> (0 &lt; p &lt; 1).</summary>
    public static double Quantile(double p, double df)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(df);
        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "expected 0 < p < 1");
        }

        if (p < 0.5)
        {
            return -Quantile(1 - p, df);
        }

        if (p == 0.5)
        {
            return 0;
        }

        // Bracket, then bisect: the distribution function is monotone, so this converges to the last bit.
        double lo = 0, hi = 1;
        while (Cdf(hi, df) < p)
        {
            lo = hi;
            hi *= 2;
        }

        for (var i = 0; i < 200 && hi - lo > 1e-15 * hi; i++)
        {
            var mid = (lo + hi) / 2;
            if (Cdf(mid, df) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>The regularized incomplete beta function I_x(a, b), by its continued fraction (modified Lentz;
    /// Numerical Recipes 6.4), using the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction converges slowly.</summary>
    internal static double RegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaFraction(x, a, b) / a
            : 1 - front * BetaFraction(1 - x, b, a) / b;
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = Math.Abs(d) < tiny ? tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 10000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>ln Gamma(x) for x &gt; 0 (Lanczos approximation, g = 7, n = 9; relative error below 1e-15).</summary>
    internal static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++)
        {
            sum += g[i] / (x + i);
        }

        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
