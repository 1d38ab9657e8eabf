using System.Text;
using System.Text.Json;

namespace Sweeps.Reports;

/// <summary>results.csv (docs/results-format.md): the trial objects' scalar columns with the same names, one row per
/// trial, RFC 4180 quoting, numbers exactly as results.json wrote them, null as an empty field. The columns are the
/// contract's in its order, then any other scalar field a newer runner adds (in first-seen order).</summary>
internal static class ResultsCsv
{
    public static readonly IReadOnlyList<string> ContractColumns =
    [
        "id", "method", "model", "dataset", "wbits", "abits", "seed", "quantizer", "ewgs_delta", "teacher", "status", "attempts",
        "epochs", "epochs_planned", "best_top1", "best_epoch", "last_top1", "mean_last5_top1", "model_size_bits", "device",
        "started_at", "finished_at", "duration_s", "error", "source", "dir",
    ];

    public static string Render(IReadOnlyList<TrialRecord> trials)
    {
        var columns = ContractColumns.ToList();
        var structured = trials.SelectMany(t => t.Raw.EnumerateObject())
            .Where(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            .Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        structured.Add("recipe");
        foreach (var trial in trials)
        {
            foreach (var property in trial.Raw.EnumerateObject())
            {
                if (!structured.Contains(property.Name) && !columns.Contains(property.Name))
                {
                    columns.Add(property.Name);
                }
            }
        }

        var csv = new StringBuilder();
        csv.Append(string.Join(",", columns.Select(Quote))).Append("\r\n");
        foreach (var trial in trials)
        {
            csv.Append(string.Join(",", columns.Select(c => Quote(Field(trial.Raw, c))))).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Field(JsonElement trial, string column)
    {
        if (!trial.TryGetProperty(column, out var value))
        {
            return "";
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "",
        };
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
