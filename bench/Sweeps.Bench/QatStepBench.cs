using System.Diagnostics;
using System.Globalization;
using Sweeps.Torch;
using Sweeps.Torch.Optim;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Bench;

/// <summary>
/// One training step of a quantized (EWGS) ResNet-20 with the fused EWGS kernel and with the composed tensor ops it
/// replaces, in the same process, in interleaved pairs: the ratio composed / fused is the kernel's speed-up of a
/// whole QAT step. `./sweeps.sh bench qat-step` runs it.
/// </summary>
internal static class QatStepBench
{
    /// <summary>Runs the pairs and prints one line per pair, then <c>qat-step speed-up composed/fused: R (median of N pairs)</c>.</summary>
    public static int Run(int pairs, int warmup, int steps, int batch, int threads, int bits)
    {
        Torch.Torch.SetNumThreads(threads);
        using var generator = new Generator(0);
        var factory = new QuantizedLayerFactory(QuantizerKind.Ewgs, new BitWidths(bits, bits));
        using var model = ModelRegistry.Create("resnet20", 1, 10, factory, generator);
        model.Train();
        using var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true));
        using var x = DisposeScope.Detach(Tensor.Randn([batch, 1, 28, 28], generator));
        using var y = DisposeScope.Detach(Tensor.RandInt(0, 10, [batch], generator));
        foreach (var q in model.Modules().OfType<EwgsQuantizer>())
        {
            q.Delta = 0.1; // the EWGS backward as in training after the delta update, not the plain straight-through one
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qat-step: resnet20 W{bits}A{bits} (EWGS), batch {batch}, {threads} threads; {pairs} pairs of {warmup} warmup + {steps} timed steps each side"));
        var ratios = new List<double>();
        for (var p = 0; p < pairs; p++)
        {
            var fused = Median(true);
            var composed = Median(false);
            ratios.Add(composed / fused);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pair {p + 1}: fused {fused:F1} ms, composed {composed:F1} ms, composed/fused {composed / fused:F3}"));
        }

        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qat-step speed-up composed/fused: {ratios[ratios.Count / 2]:F3} (median of {pairs} pairs)"));
        return 0;

        double Median(bool useFused)
        {
            EwgsQuantizer.FusedKernel = useFused;
            var times = new double[steps];
            for (var i = 0; i < warmup + steps; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                using (DisposeScope.Enter())
                {
                    optimizer.ZeroGrad();
                    Functional.CrossEntropy(model.Forward(x), y).Backward();
                    optimizer.Step();
                }

                if (i >= warmup)
                {
                    times[i - warmup] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
            }

            Array.Sort(times);
            return times[times.Length / 2];
        }
    }
}
