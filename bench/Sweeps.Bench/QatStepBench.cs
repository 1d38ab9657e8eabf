using System.Diagnostics;
using System.Globalization;
using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Torch.Optim;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Bench;

/// <summary>
/// One training step of a quantized (EWGS) ResNet-20 in the same process, in interleaved triples: the fused EWGS kernel
/// in NCHW, the fused kernel in channels-last (the trainer's CPU default), and the composed tensor ops the kernel
/// replaces in channels-last. Each layout has its own model and optimizer, built from the same seed. The ratio
/// channels-last / NCHW (both fused) is what channels-last gains on a QAT step; composed / fused (both channels-last)
/// is the kernel's speed-up. `./sweeps.sh bench qat-step` runs it.
/// </summary>
internal static class QatStepBench
{
    /// <summary>Runs the triples and prints one line per triple, then
    /// <c>qat-step speed-up composed/fused (channels-last): R</c> and last
    /// <c>qat-step ratio channels-last/NCHW (fused): R (median of N triples)</c>.</summary>
    public static int Run(int pairs, int warmup, int steps, int batch, int threads, int bits)
    {
        Torch.Torch.SetNumThreads(threads);
        using var nchw = new Side(MemoryFormat.Contiguous, bits, batch);
        using var channelsLast = new Side(MemoryFormat.ChannelsLast, bits, batch);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qat-step: resnet20 W{bits}A{bits} (EWGS, delta 0.1), batch {batch}, {threads} threads; {pairs} triples of {warmup} warmup + {steps} timed steps each side"));
        var layoutRatios = new List<double>();
        var kernelRatios = new List<double>();
        for (var p = 0; p < pairs; p++)
        {
            var fusedNchw = nchw.Median(fused: true, warmup, steps);
            var fusedLast = channelsLast.Median(fused: true, warmup, steps);
            var composedLast = channelsLast.Median(fused: false, warmup, steps);
            layoutRatios.Add(fusedLast / fusedNchw);
            kernelRatios.Add(composedLast / fusedLast);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"triple {p + 1}: fused NCHW {fusedNchw:F1} ms, fused channels-last {fusedLast:F1} ms, composed channels-last {composedLast:F1} ms; "
                + $"channels-last/NCHW {fusedLast / fusedNchw:F3}, composed/fused {composedLast / fusedLast:F3}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qat-step speed-up composed/fused (channels-last): {Median(kernelRatios):F3} (median of {pairs} triples)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qat-step ratio channels-last/NCHW (fused): {Median(layoutRatios):F3} (median of {pairs} triples)"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    // A model, its optimizer and the batch, all in one memory format.
    private sealed class Side : IDisposable
    {
        private readonly Module _model;
        private readonly Sgd _optimizer;
        private readonly Tensor _x;
        private readonly Tensor _y;

        public Side(MemoryFormat format, int bits, int batch)
        {
            using var generator = new Generator(0);
            var factory = new QuantizedLayerFactory(QuantizerKind.Ewgs, new BitWidths(bits, bits));
            _model = ModelRegistry.Create("resnet20", 1, 10, factory, generator);
            _model.Train();
            _model.To(format);
            _optimizer = new Sgd(_model.Parameters(), new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true));
            using var scope = DisposeScope.Enter();
            _x = DisposeScope.Detach(Tensor.Randn([batch, 1, 28, 28], generator).ToMemoryFormat(format));
            _y = DisposeScope.Detach(Tensor.RandInt(0, 10, [batch], generator));
            foreach (var q in _model.Modules().OfType<EwgsQuantizer>())
            {
                q.Delta = 0.1; // the EWGS backward as in training after the delta update, not the plain straight-through one
            }
        }

        public double Median(bool fused, int warmup, int steps)
        {
            EwgsQuantizer.FusedKernel = fused;
            var times = new double[steps];
            for (var i = 0; i < warmup + steps; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                using (DisposeScope.Enter())
                {
                    _optimizer.ZeroGrad();
                    Functional.CrossEntropy(_model.Forward(_x), _y).Backward();
                    _optimizer.Step();
                }

                if (i >= warmup)
                {
                    times[i - warmup] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
            }

            Array.Sort(times);
            return times[times.Length / 2];
        }

        public void Dispose()
        {
            _x.Dispose();
            _y.Dispose();
            _optimizer.Dispose();
            _model.Dispose();
        }
    }
}
