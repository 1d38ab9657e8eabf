using System.Xml;
using System.Xml.Linq;

namespace Sweeps.Reports.Tests;

/// <summary>Reading the written report back: Markdown tables by heading, and report.html as XML.</summary>
internal static class ReportDocuments
{
    public static readonly XNamespace H = "http://www.w3.org/1999/xhtml";
    public static readonly XNamespace S = "http://www.w3.org/2000/svg";

    public static readonly IReadOnlyDictionary<string, string> RowLabels = new Dictionary<string, string>
    {
        ["fp"] = "FP teacher (32-bit)", ["qat"] = "QAT", ["sqakd"] = "SQAKD", ["mec-quant"] = "MEC-Quant \u2020",
        ["fpq"] = "FPQ \u2020", ["cr"] = "CR \u2020",
    };

    /// <summary>The first Markdown table after <paramref name="heading"/> (itself after <paramref name="section"/>):
    /// row label -> column header -> cell text.</summary>
    public static Dictionary<string, Dictionary<string, string>> MarkdownTable(string markdown, string section, string heading)
    {
        var lines = markdown.Split('\n');
        var start = Array.FindIndex(lines, l => l == section);
        Assert.True(start >= 0, $"section '{section}' not found in report.md");
        var at = Array.FindIndex(lines, start, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(at >= 0, $"heading '{heading}' not found after '{section}'");
        var first = Array.FindIndex(lines, at, l => l.StartsWith('|'));
        var header = Split(lines[first]);
        var table = new Dictionary<string, Dictionary<string, string>>();
        for (var i = first + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = Split(lines[i]);
            table[cells[0]] = header.Skip(1).Zip(cells.Skip(1)).ToDictionary(p => p.First, p => p.Second);
        }

        return table;
    }

    private static List<string> Split(string row) =>
        row.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToList();

    /// <summary>report.html parsed as XML (it is written XHTML-compatible); fails the test when it is not well-formed.</summary>
    public static XDocument Html(string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(path, settings);
        return XDocument.Load(reader);
    }

    public static XElement ById(XDocument html, string id) =>
        html.Descendants().SingleOrDefault(e => (string?)e.Attribute("id") == id)
        ?? throw new Xunit.Sdk.XunitException($"no element with id '{id}' in report.html");

    /// <summary>A cell of an HTML table: the row with data-method, the td with data-bits.</summary>
    public static XElement HtmlCell(XElement table, string method, string bits) =>
        table.Elements(H + "tr").Single(r => (string?)r.Attribute("data-method") == method)
            .Elements(H + "td").Single(td => (string?)td.Attribute("data-bits") == bits);

    public static string Text(XElement element) => string.Concat(element.DescendantNodes().OfType<XText>().Select(t => t.Value));
}
