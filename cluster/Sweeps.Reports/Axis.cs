namespace Sweeps.Reports;

/// <summary>A chart axis: a data range mapped onto a pixel range, linearly or on a log10 scale, with tick values.</summary>
internal sealed record Axis
{
    /// <summary><c>linear</c>, <c>log</c> (log10) or <c>category</c> (linear, category i at i + 0.5).</summary>
    public required string Scale { get; init; }

    public required double Min { get; init; }

    public required double Max { get; init; }

    /// <summary>Pixel of <see cref="Min"/>.</summary>
    public required double PixelStart { get; init; }

    /// <summary>Pixel of <see cref="Max"/>.</summary>
    public required double PixelEnd { get; init; }

    public required IReadOnlyList<double> Ticks { get; init; }

    public double Map(double value)
    {
        var fraction = Scale == "log"
            ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
            : (value - Min) / (Max - Min);
        return PixelStart + fraction * (PixelEnd - PixelStart);
    }

    /// <summary>A linear axis over the values, widened to round tick steps (1, 2, 2.5, 5 x 10^k), about five ticks.</summary>
    public static Axis Linear(IEnumerable<double> values, double pixelStart, double pixelEnd, bool includeZero = false)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (includeZero)
        {
            finite.Add(0);
        }

        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo < 1e-12)
        {
            var pad = Math.Abs(lo) > 1e-12 ? Math.Abs(lo) * 0.05 : 1;
            lo -= pad;
            hi += pad;
        }

        var step = NiceStep((hi - lo) / 5);
        var min = Math.Floor(lo / step) * step;
        var max = Math.Ceiling(hi / step) * step;
        var ticks = new List<double>();
        for (var t = min; t <= max + step * 1e-9; t += step)
        {
            ticks.Add(Math.Round(t / step) * step);
        }

        return new Axis { Scale = "linear", Min = min, Max = max, PixelStart = pixelStart, PixelEnd = pixelEnd, Ticks = ticks };
    }

    /// <summary>A log10 axis over positive values; domain and ticks on the 1, 2, 5 x 10^k steps.</summary>
    public static Axis Log(IEnumerable<double> values, double pixelStart, double pixelEnd)
    {
        var positive = values.Where(v => double.IsFinite(v) && v > 0).ToList();
        double lo = positive.Count == 0 ? 1 : positive.Min(), hi = positive.Count == 0 ? 10 : positive.Max();
        // The domain runs from the 1-2-5 step at or below the smallest value to the one at or above the largest.
        var min = Step125(lo, down: true);
        var max = Step125(hi, down: false);
        if (max <= min)
        {
            min = Step125(min * 0.99, down: true);
            max = Step125(max * 1.01, down: false);
        }

        var ticks = new List<double>();
        for (var decade = Math.Pow(10, Math.Floor(Math.Log10(min))); decade < max * 1.0001; decade *= 10)
        {
            foreach (var m in new[] { 1.0, 2.0, 5.0 })
            {
                var t = decade * m;
                if (t >= min * 0.9999 && t <= max * 1.0001)
                {
                    ticks.Add(t);
                }
            }
        }

        return new Axis { Scale = "log", Min = min, Max = max, PixelStart = pixelStart, PixelEnd = pixelEnd, Ticks = ticks };
    }

    /// <summary>A categorical axis: category i (0-based) of <paramref name="count"/> sits at i + 0.5.</summary>
    public static Axis Category(int count, double pixelStart, double pixelEnd) => new()
    {
        Scale = "category",
        Min = 0,
        Max = Math.Max(1, count),
        PixelStart = pixelStart,
        PixelEnd = pixelEnd,
        Ticks = Enumerable.Range(0, count).Select(i => i + 0.5).ToList(),
    };

    private static double Step125(double value, bool down)
    {
        var decade = Math.Pow(10, Math.Floor(Math.Log10(value)));
        double[] steps = [1, 2, 5, 10];
        if (down)
        {
            return decade * steps.Last(s => decade * s <= value * (1 + 1e-12));
        }

        return decade * steps.First(s => decade * s >= value * (1 - 1e-12));
    }

    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        var nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 2.5 ? 2.5 : normalized <= 5 ? 5 : 10;
        return nice * magnitude;
    }
}
