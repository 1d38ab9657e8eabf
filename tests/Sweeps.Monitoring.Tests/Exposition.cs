using System.Globalization;
using System.Text;

namespace Sweeps.Monitoring.Tests;

/// <summary>One sample line of the Prometheus text format.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels[name];
}

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4) for tests: every sample's family has HELP and
/// TYPE lines first, label values are unescaped (\\, \", \n), and a malformed line throws.
/// </summary>
internal static class Exposition
{
    public static List<Sample> Parse(byte[] utf8) => Parse(Encoding.UTF8.GetString(utf8));

    public static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        var typed = new Dictionary<string, string>();
        var helped = new HashSet<string>();
        Assert.EndsWith("\n", text.Length == 0 ? "\n" : text);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var name = line[7..].Split(' ')[0];
                Assert.True(helped.Add(name), $"two HELP lines for {name}");
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.Equal(2, parts.Length);
                Assert.Contains(parts[1], new[] { "counter", "gauge", "histogram" });
                Assert.True(typed.TryAdd(parts[0], parts[1]), $"two TYPE lines for {parts[0]}");
                continue;
            }

            Assert.False(line.StartsWith('#'), $"unexpected comment line: {line}");
            var sample = ParseSample(line);
            var family = Family(sample.Name, typed);
            Assert.True(family is not null, $"sample without a TYPE line: {line}");
            Assert.True(helped.Contains(family!), $"sample without a HELP line: {line}");
            samples.Add(sample);
        }

        return samples;
    }

    private static string? Family(string name, Dictionary<string, string> typed)
    {
        if (typed.ContainsKey(name))
        {
            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && typed.TryGetValue(name[..^suffix.Length], out var type)
                && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return null;
    }

    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_' || line[i] == ':'))
        {
            i++;
        }

        var name = line[..i];
        Assert.False(string.IsNullOrEmpty(name), $"no metric name: {line}");
        var labels = new Dictionary<string, string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", label);
                i = eq + 1;
                Assert.Equal('"', line[i]);
                i++;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"bad escape \\{line[i]} in {line}"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                i++;
                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice: {line}");
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        Assert.Equal(' ', line[i]);
        var text = line[(i + 1)..];
        var number = text switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, number);
    }

    /// <summary>The samples named <paramref name="name"/> whose labels include every pair given.</summary>
    public static List<Sample> Find(this IEnumerable<Sample> samples, string name, params (string Label, string Value)[] labels) =>
        [.. samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))];

    /// <summary>The value of the one sample that matches.</summary>
    public static double Value(this IEnumerable<Sample> samples, string name, params (string Label, string Value)[] labels) =>
        Assert.Single(samples.Find(name, labels)).Value;
}
