using System.Globalization;
using System.Xml.Linq;

namespace Sweeps.Reports;

/// <summary>Inline SVG charts for report.html. Every plot area is a <c>g.plot</c> whose <c>data-*</c> attributes give its
/// axes (scale, data range, pixel box), and every data point carries its data values (<c>data-x</c>, <c>data-y</c>), so a
/// reader (or a test) can check each coordinate against the data: x = left + width (f(x) - f(x_min)) / (f(x_max) -
/// f(x_min)) with f the identity or log10, y = top + height (y_max - y) / (y_max - y_min).</summary>
internal static class Svg
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

    /// <summary>A fixed colour per method (FP black), so every chart uses the same one.</summary>
    public static string MethodColor(string method) => method switch
    {
        "fp" => "#000000",
        "qat" => "#1f77b4",
        "sqakd" => "#d62728",
        "mec-quant" => "#2ca02c",
        "fpq" => "#9467bd",
        "cr" => "#ff7f0e",
        _ => Palette[5 + (int)((uint)StableHash(method) % 5)],
    };

    /// <summary>The n-th colour of the palette (curves of one trial).</summary>
    public static string SeriesColor(int index) => Palette[index % Palette.Length];

    public static string Px(double value) => value.ToString("F2", Inv);

    public static string Data(double value) => value.ToString("R", Inv);

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static XAttribute A(string name, object value) =>
        new(name, value is double d ? Px(d) : Convert.ToString(value, Inv) ?? "");

    /// <summary>The root element of a chart.</summary>
    public static XElement Root(string chart, double width, double height, string title) =>
        E("svg",
            A("width", (int)width), A("height", (int)height),
            A("viewBox", $"0 0 {(int)width} {(int)height}"),
            A("class", "chart"), A("data-chart", chart), A("role", "img"),
            E("title", title),
            E("rect", A("x", 0), A("y", 0), A("width", (int)width), A("height", (int)height), A("fill", "#ffffff")));

    /// <summary>A plot area with its axes drawn (frame, ticks, grid, labels) and its data-* description.</summary>
    public static XElement Plot(Axis x, Axis y, string xLabel, string yLabel, Func<double, string> xTick, Func<double, string> yTick)
    {
        double left = x.PixelStart, width = x.PixelEnd - x.PixelStart, top = y.PixelEnd, height = y.PixelStart - y.PixelEnd;
        var g = E("g", A("class", "plot"),
            A("data-x-scale", x.Scale), A("data-x-min", Data(x.Min)), A("data-x-max", Data(x.Max)),
            A("data-y-scale", y.Scale), A("data-y-min", Data(y.Min)), A("data-y-max", Data(y.Max)),
            A("data-left", left), A("data-top", top), A("data-width", width), A("data-height", height));
        foreach (var t in y.Ticks)
        {
            var py = y.Map(t);
            g.Add(E("line", A("class", "grid"), A("x1", left), A("x2", left + width), A("y1", py), A("y2", py), A("stroke", "#e5e5e5")));
            g.Add(E("text", A("x", left - 6), A("y", py + 4), A("text-anchor", "end"), A("font-size", 11), yTick(t)));
        }

        foreach (var t in x.Ticks)
        {
            var px = x.Map(t);
            g.Add(E("line", A("x1", px), A("x2", px), A("y1", top + height), A("y2", top + height + 5), A("stroke", "#444444")));
            g.Add(E("text", A("x", px), A("y", top + height + 18), A("text-anchor", "middle"), A("font-size", 11), xTick(t)));
        }

        g.Add(E("rect", A("x", left), A("y", top), A("width", width), A("height", height), A("fill", "none"), A("stroke", "#444444")));
        g.Add(E("text", A("x", left + width / 2), A("y", top + height + 36), A("text-anchor", "middle"), A("font-size", 12), xLabel));
        g.Add(E("text", A("x", 0), A("y", 0), A("transform", $"translate({Px(left - 44)},{Px(top + height / 2)}) rotate(-90)"),
            A("text-anchor", "middle"), A("font-size", 12), yLabel));
        return g;
    }

    /// <summary>A data point: a filled circle at (x, y) with its data values.</summary>
    public static XElement Point(Axis x, Axis y, double dx, double dy, string series, string color, string? label = null, double radius = 4)
    {
        var circle = E("circle", A("class", "point"), A("data-series", series), A("data-x", Data(dx)), A("data-y", Data(dy)),
            A("cx", x.Map(dx)), A("cy", y.Map(dy)), A("r", radius), A("fill", color));
        if (label is not null)
        {
            circle.Add(A("data-label", label));
            circle.Add(E("title", $"{series} {label}: {dy.ToString("F2", Inv)}"));
        }

        return circle;
    }

    /// <summary>A polyline through the points (in the given order), with the data values in <c>data-values</c>.</summary>
    public static XElement Line(Axis x, Axis y, IReadOnlyList<(double X, double Y)> points, string series, string color, bool dashed = false)
    {
        var line = E("polyline", A("class", "series"), A("data-series", series),
            A("data-values", string.Join(" ", points.Select(p => $"{Data(p.X)},{Data(p.Y)}"))),
            A("points", string.Join(" ", points.Select(p => $"{Px(x.Map(p.X))},{Px(y.Map(p.Y))}"))),
            A("fill", "none"), A("stroke", color), A("stroke-width", 2));
        if (dashed)
        {
            line.Add(A("stroke-dasharray", "5,3"));
        }

        return line;
    }

    /// <summary>A vertical error bar from y - e to y + e at x, with caps.</summary>
    public static XElement ErrorBar(Axis x, Axis y, double dx, double dy, double error, string series, string color)
    {
        double px = x.Map(dx), lo = y.Map(dy - error), hi = y.Map(dy + error);
        return E("g", A("class", "errorbar"), A("data-series", series), A("data-x", Data(dx)), A("data-y", Data(dy)), A("data-error", Data(error)),
            E("line", A("x1", px), A("x2", px), A("y1", lo), A("y2", hi), A("stroke", color), A("stroke-width", 1.5)),
            E("line", A("x1", px - 5), A("x2", px + 5), A("y1", lo), A("y2", lo), A("stroke", color), A("stroke-width", 1.5)),
            E("line", A("x1", px - 5), A("x2", px + 5), A("y1", hi), A("y2", hi), A("stroke", color), A("stroke-width", 1.5)));
    }

    /// <summary>A horizontal reference line across the plot at y (the FP accuracy).</summary>
    public static XElement Reference(Axis x, Axis y, double dy, string label)
    {
        var py = y.Map(dy);
        return E("g", A("class", "reference"), A("data-y", Data(dy)),
            E("line", A("x1", x.PixelStart), A("x2", x.PixelEnd), A("y1", py), A("y2", py), A("stroke", "#000000"), A("stroke-width", 1.5), A("stroke-dasharray", "6,4")),
            E("text", A("x", x.PixelEnd - 4), A("y", py - 5), A("text-anchor", "end"), A("font-size", 11), label));
    }

    /// <summary>A legend: one coloured swatch and name per entry, in a column starting at (x, y).</summary>
    public static XElement Legend(double x, double y, IEnumerable<(string Name, string Color, bool Dashed)> entries)
    {
        var g = E("g", A("class", "legend"));
        var row = 0;
        foreach (var (name, color, dashed) in entries)
        {
            var py = y + row * 18;
            var line = E("line", A("x1", x), A("x2", x + 22), A("y1", py), A("y2", py), A("stroke", color), A("stroke-width", 3));
            if (dashed)
            {
                line.Add(A("stroke-dasharray", "5,3"));
            }

            g.Add(line);
            g.Add(E("text", A("x", x + 28), A("y", py + 4), A("font-size", 12), name));
            row++;
        }

        return g;
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }

        return hash;
    }
}
