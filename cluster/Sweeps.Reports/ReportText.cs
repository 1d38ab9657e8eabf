using System.Globalization;
using System.Text.Json;

namespace Sweeps.Reports;

/// <summary>The wording and number formats shared by report.md and report.html, so that both say the same.
/// Accuracies are shown in percent with two decimals, differences in percentage points (pp).</summary>
internal static class ReportText
{
    public const string PlusMinus = "\u00b1";
    public const string Dash = "\u2014";
    public const string Dagger = "\u2020";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A fraction as a percentage with two decimals: 0.81234 -> "81.23".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("F2", Inv);

    /// <summary>A difference of fractions in percentage points with a sign: "+1.23", "-0.50", "0.00".</summary>
    public static string Points(double fraction)
    {
        var text = (fraction * 100).ToString("F2", Inv);
        return text is "0.00" or "-0.00" ? "0.00" : fraction > 0 ? "+" + text : text;
    }

    public static string Number(double value, string format = "G6") => value.ToString(format, Inv);

    /// <summary>The chosen accuracy, in words.</summary>
    public static string AccuracyName(AccuracyMetric metric) => metric switch
    {
        AccuracyMetric.Best => "the best test top-1 over the epochs (best_top1)",
        AccuracyMetric.MeanLast5 => "the mean test top-1 of the last 5 epochs (mean_last5_top1; of all epochs when fewer)",
        _ => "the test top-1 after the last epoch (last_top1), that is of the final model",
    };

    /// <summary>The command-line spelling of the accuracy choice.</summary>
    public static string AccuracyOption(AccuracyMetric metric) => metric switch
    {
        AccuracyMetric.Best => "best",
        AccuracyMetric.MeanLast5 => "mean5",
        _ => "last",
    };

    public static string AccuracyExplanation(AccuracyMetric metric) =>
        $"Each cell is the mean {PlusMinus} sample standard deviation over the seeds whose trial completed, in % "
        + "(n = seeds counted; \"n=2 of 3\" when a seed's trial did not complete: its partial results are not counted). "
        + metric switch
        {
            AccuracyMetric.Best => "Warning: best-epoch accuracy picks the epoch on the test set, which flatters every method; "
                + "last (the default) or mean5 are the honest choices.",
            AccuracyMetric.MeanLast5 => "Warning: on short runs the mean of the last 5 epochs includes undertrained early epochs "
                + "(most of all the teacher's, which trains from scratch) and understates them; last (the default) is the final model's accuracy.",
            _ => "The same definition for every row, the FP teacher's included: the recipes anneal the learning rate to 0, so "
                + "the last epoch is the trained model. It replaces the mean of the last 5 epochs as the default, which on "
                + "short runs averaged in undertrained early epochs and put quantized students above their own teacher. "
                + "Other choices: --accuracy mean5|best (best picks the epoch on the test set, which flatters every method).",
        };

    /// <summary>"81.23 ± 0.41", "81.23" for one seed, the dash for none.</summary>
    public static string CellValue(CellSummary cell) =>
        cell.N == 0 ? Dash : cell.N == 1 ? Percent(cell.Mean) : $"{Percent(cell.Mean)} {PlusMinus} {Percent(cell.Sd)}";

    /// <summary>"n=3", or "n=2 of 3" when some of the cell's trials were not counted.</summary>
    public static string CellSeeds(CellSummary cell)
    {
        var planned = cell.Trials.Select(t => t.Seed).Distinct().Count();
        return cell.N == planned ? $"n={cell.N}" : $"n={cell.N} of {planned}";
    }

    /// <summary>Why some trials of a cell are not counted: "1 failed, 1 running", or empty.</summary>
    public static string CellMissing(CellSummary cell) =>
        string.Join(", ", cell.NotCounted.GroupBy(t => t.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>The paired comparison against QAT in one line.</summary>
    public static string VsQat(PairedComparison c)
    {
        if (c.Pairs == 0)
        {
            return "n/a (no seed where both completed)";
        }

        if (!c.Testable)
        {
            return $"{Points(c.MeanDifference)} pp (1 seed: no test)";
        }

        var p = c.P < 0.001 ? "p<0.001" : $"p={c.P.ToString("F3", Inv)}";
        var t = double.IsInfinity(c.T) ? (c.T > 0 ? "t=+inf" : "t=-inf") : $"t={c.T.ToString("F2", Inv)}";
        return $"{Points(c.MeanDifference)} pp [{Points(c.Lower)}, {Points(c.Upper)}], {t}, df={c.Pairs - 1}, {p}: {Verdict(c)}";
    }

    public static string Verdict(PairedComparison c) =>
        !c.Testable ? "no test" : c.BeyondNoise ? (c.MeanDifference > 0 ? "better, beyond noise" : "worse, beyond noise") : "within noise";

    /// <summary>The quantizer and which EWGS backward ran: "ewgs (hutchinson)", "lsq", or the dash for FP.</summary>
    public static string Quantizer(TrialRecord trial) =>
        trial.Quantizer is not { } q ? Dash : trial.EwgsDelta is { } d && d is not ("n/a" or "none") ? $"{q} ({d})" : q;

    /// <summary>A trial's bit-width label (FP32 for full precision).</summary>
    public static string Bits(TrialRecord trial) => trial.Bits.Label;

    public static string Epochs(TrialRecord trial) =>
        $"{trial.Epochs?.ToString(Inv) ?? "0"}/{trial.EpochsPlanned?.ToString(Inv) ?? "?"}";

    /// <summary>One sentence per FP teacher this sweep did not train: where it came from.</summary>
    public static IEnumerable<string> TeacherSources(CellSummary? fp) =>
        fp is null ? [] : fp.Trials.Where(t => t.Source is not null).Select(t => $"FP teacher of seed {t.Seed}: {t.Source}.");

    public static string OptionalPercent(double? fraction) => fraction is { } f ? Percent(f) : Dash;

    /// <summary>A duration in seconds as "12.3 s", "4 min 05 s" or "1 h 02 min".</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s)
        {
            return Dash;
        }

        if (s < 60)
        {
            return $"{s.ToString("F1", Inv)} s";
        }

        var span = TimeSpan.FromSeconds(s);
        return span.TotalHours >= 1
            ? $"{((int)span.TotalHours).ToString(Inv)} h {span.Minutes.ToString("D2", Inv)} min"
            : $"{span.Minutes.ToString(Inv)} min {span.Seconds.ToString("D2", Inv)} s";
    }

    /// <summary>What a trial that did not complete is doing or why it stopped.</summary>
    public static string Problem(TrialRecord trial) => trial.Status switch
    {
        "failed" => trial.Error ?? "failed (no error recorded)",
        "cancelled" => trial.Error ?? "cancelled",
        "running" => $"still running: epoch {trial.Epochs?.ToString(Inv) ?? "0"} of {trial.EpochsPlanned?.ToString(Inv) ?? "?"} done" + (trial.Error is null ? "" : $"; {trial.Error}"),
        "pending" => "not started yet" + (trial.Error is null ? "" : $"; {trial.Error}"),
        _ => trial.Error ?? "",
    };

    public static string ModelSize(double bits) =>
        bits >= 8e6 ? $"{(bits / 8e6).ToString("F2", Inv)} MB" : $"{(bits / 8e3).ToString("F1", Inv)} kB";

    /// <summary>A JSON element indented for reading.</summary>
    public static string PrettyJson(JsonElement element) =>
        JsonSerializer.Serialize(element, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The sentence about reconstructed methods (METHODS.md).</summary>
    public const string ReconstructionNote =
        "MEC-Quant (arXiv 2509.15514), FPQ (arXiv 2503.11159) and CR (arXiv 2402.13497) have no public code: what this "
        + "sweep ran for them is our reconstruction from the papers' abstracts and their parent methods (MEC, EWGS/LSQ/PACT "
        + "quantizers, mean teacher), not the authors' implementation; their numbers are not the papers' numbers. "
        + "SQAKD (arXiv 2403.11106) follows its paper and public code (kaiqi123/SQAKD); QAT is plain quantization-aware "
        + "training with the same quantizer. CR's mean teacher follows Mean Teacher (an EMA of the student with momentum "
        + "0.99 during the consistency ramp-up and 0.999 after, warmed up as min(that, (1+n)/(10+n)) over the first n "
        + "steps, its forward in training mode) since issue 17: the earlier teacher (0.999 from the first step, evaluation "
        + "mode) stayed at the initial 2-bit student, at chance level, in runs of a few hundred steps (docs/benchmarks.md). "
        + "What each method computes is in docs/methods.md.";
}
