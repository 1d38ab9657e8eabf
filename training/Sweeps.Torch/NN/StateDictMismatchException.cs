using System.Globalization;
using System.Text;

namespace Sweeps.Torch.NN;

/// <summary>
/// A state dict that does not fit a module: keys it lacks, keys the module does not have, and entries whose shape
/// differs. The message summarises each list (its count and its first <see cref="ListedPerKind"/> entries) instead of
/// listing every key: a checkpoint of another architecture differs in over a hundred keys.
/// </summary>
public sealed class StateDictMismatchException : ArgumentException
{
    /// <summary>How many entries of each list the message names.</summary>
    public const int ListedPerKind = 5;

    /// <summary>A mismatch between <paramref name="moduleName"/> and a state dict.</summary>
    /// <param name="moduleName">The module's type or name, for the message.</param>
    /// <param name="missingKeys">Keys the module expected that the state dict lacks.</param>
    /// <param name="unexpectedKeys">Keys of the state dict that the module does not have.</param>
    /// <param name="shapeMismatches">Entries present in both with different shapes.</param>
    public StateDictMismatchException(
        string moduleName, IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<StateDictShapeMismatch> shapeMismatches)
        : base($"Error(s) in loading state_dict for {moduleName}:{Summarize(missingKeys, unexpectedKeys, shapeMismatches)}")
    {
        ModuleName = moduleName;
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>A mismatch described only by a message.</summary>
    public StateDictMismatchException()
        : this("module", [], [], [])
    {
    }

    /// <summary>A mismatch described only by a message.</summary>
    public StateDictMismatchException(string message)
        : base(message)
    {
        ModuleName = "module";
        MissingKeys = [];
        UnexpectedKeys = [];
        ShapeMismatches = [];
    }

    /// <summary>A mismatch described only by a message, with its cause.</summary>
    public StateDictMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        ModuleName = "module";
        MissingKeys = [];
        UnexpectedKeys = [];
        ShapeMismatches = [];
    }

    /// <summary>The module's type or name.</summary>
    public string ModuleName { get; }

    /// <summary>Keys the module expected that the state dict lacks, in the module's order.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys of the state dict that the module does not have, in the state dict's order.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Entries whose shapes differ, in the module's order.</summary>
    public IReadOnlyList<StateDictShapeMismatch> ShapeMismatches { get; }

    /// <summary>
    /// One line per non-empty list, each starting with a line break and two spaces:
    /// <c>Missing key(s) in state_dict: "a", "b", ... and 115 more (120 in all).</c>, the same for unexpected keys, and
    /// <c>size mismatch for conv1.weight: expected shape [16, 1, 3, 3], got [16, 3, 3, 3].</c> for the first shape
    /// mismatches (PyTorch's wording, cut short).
    /// </summary>
    public static string Summarize(IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<StateDictShapeMismatch> shapeMismatches)
    {
        ArgumentNullException.ThrowIfNull(missingKeys);
        ArgumentNullException.ThrowIfNull(unexpectedKeys);
        ArgumentNullException.ThrowIfNull(shapeMismatches);
        var text = new StringBuilder();
        if (missingKeys.Count > 0)
        {
            text.Append("\n  Missing key(s) in state_dict: ").Append(Listed(missingKeys.Select(k => $"\"{k}\"").ToList())).Append('.');
        }

        if (unexpectedKeys.Count > 0)
        {
            text.Append("\n  Unexpected key(s) in state_dict: ").Append(Listed(unexpectedKeys.Select(k => $"\"{k}\"").ToList())).Append('.');
        }

        foreach (var m in shapeMismatches.Take(ListedPerKind))
        {
            text.Append("\n  size mismatch for ").Append(m).Append('.');
        }

        if (shapeMismatches.Count > ListedPerKind)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  ... and {shapeMismatches.Count - ListedPerKind} more size mismatch(es) ({shapeMismatches.Count} in all).");
        }

        return text.ToString();
    }

    /// <summary>The first <see cref="ListedPerKind"/> items, then "and N more (M in all)".</summary>
    public static string Listed(IReadOnlyList<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var shown = string.Join(", ", items.Take(ListedPerKind));
        return items.Count <= ListedPerKind
            ? shown
            : string.Create(CultureInfo.InvariantCulture, $"{shown} and {items.Count - ListedPerKind} more ({items.Count} in all)");
    }
}
