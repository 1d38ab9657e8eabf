using Sweeps.Torch.NN;

namespace Sweeps.Training.Quantization;

/// <summary>Per-epoch quantizer statistics for reports (METHODS.md: "quantizer statistics (mean clip range per layer kind)").</summary>
public static class QuantizationStatistics
{
    /// <summary>
    /// The mean <see cref="Quantizer.ClipRange"/> per layer kind and target, keyed <c>conv.weight</c>,
    /// <c>conv.input</c>, <c>linear.weight</c>, <c>linear.input</c> (only keys with at least one quantizer with a
    /// finite clip range appear). Reads parameters (a device synchronisation per quantizer).
    /// </summary>
    public static IReadOnlyDictionary<string, double> MeanClipRanges(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sums = new SortedDictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        foreach (var module in model.Modules())
        {
            if (module is not IQuantizedLayer layer)
            {
                continue;
            }

            var kind = module is Conv2d ? "conv" : "linear";
            Add(sums, kind + ".weight", layer.WeightQuantizer);
            Add(sums, kind + ".input", layer.InputQuantizer);
        }

        return sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count, StringComparer.Ordinal);
    }

    private static void Add(SortedDictionary<string, (double Sum, int Count)> sums, string key, Quantizer? quantizer)
    {
        if (quantizer is null)
        {
            return;
        }

        var range = quantizer.ClipRange();
        if (!double.IsFinite(range))
        {
            return;
        }

        sums.TryGetValue(key, out var s);
        sums[key] = (s.Sum + range, s.Count + 1);
    }
}
