using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sweeps.Training.Training;

/// <summary><c>metrics.jsonl</c>: one JSON object per epoch, appended and flushed to disk.</summary>
internal static class MetricsLog
{
    public static void Append(string path, EpochMetrics metrics) =>
        TrainingJson.AppendLine(path, JsonSerializer.Serialize(metrics, TrainingJson.Line));

    /// <summary>Keeps only the lines of epochs 1..<paramref name="epochs"/>, the last line of each epoch, in epoch order
    /// (after a resume from a checkpoint of epoch <paramref name="epochs"/> nothing is counted twice). Lines that do not
    /// parse are dropped.</summary>
    public static void Truncate(string path, int epochs)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var byEpoch = new SortedDictionary<int, string>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var epoch = JsonNode.Parse(line)?["epoch"]?.GetValue<int>();
                if (epoch is { } e && e >= 1 && e <= epochs)
                {
                    byEpoch[e] = line;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // A torn last line from a crash: dropped.
            }
        }

        TrainingJson.WriteAtomic(path, string.Concat(byEpoch.Values.Select(l => l + "\n")));
    }
}
