namespace Sweeps.Reports;

/// <summary>The comparison of one model x dataset: FP reference, one row per method, one column per bit-width.</summary>
internal sealed record GroupSummary
{
    public required string Model { get; init; }

    public required string Dataset { get; init; }

    /// <summary>The quantized bit-widths, ascending.</summary>
    public required IReadOnlyList<BitWidth> Columns { get; init; }

    /// <summary>The quantized methods (every method but fp), in report order.</summary>
    public required IReadOnlyList<string> Methods { get; init; }

    /// <summary>The FP teacher over its seeds, or null when the sweep has no FP trial for this model x dataset.</summary>
    public CellSummary? Fp { get; init; }

    /// <summary>Cells by (method, bit-width); absent when the sweep did not plan that combination.</summary>
    public required IReadOnlyDictionary<(string Method, BitWidth Bits), CellSummary> Cells { get; init; }

    /// <summary>Methods against QAT by (method, bit-width), when both have the cell.</summary>
    public required IReadOnlyDictionary<(string Method, BitWidth Bits), PairedComparison> VsQat { get; init; }

    /// <summary>A stable identifier for anchors and element ids.</summary>
    public string Key => $"{Model}-{Dataset}";

    public CellSummary? Cell(string method, BitWidth bits) => Cells.TryGetValue((method, bits), out var c) ? c : null;

    /// <summary>Whether the cell has the highest mean of its column among the quantized methods (ties: all of them).</summary>
    public bool IsBest(string method, BitWidth bits)
    {
        var cell = Cell(method, bits);
        if (cell is null || cell.N == 0)
        {
            return false;
        }

        var best = Methods.Select(m => Cell(m, bits)).Where(c => c is { N: > 0 }).Max(c => c!.Mean);
        return cell.Mean == best;
    }

    /// <summary>Cell mean minus FP mean (fractions), or null when either is missing.</summary>
    public double? DifferenceToFp(string method, BitWidth bits)
    {
        var cell = Cell(method, bits);
        return cell is { N: > 0 } && Fp is { N: > 0 } ? cell.Mean - Fp.Mean : null;
    }
}
