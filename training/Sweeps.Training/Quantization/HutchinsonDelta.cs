using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Quantization;

/// <summary>
/// EWGS's update of the gradient-scaling factor delta (Lee et al., CVPR 2021, Sec. 3.3 and their code):
/// delta = max(0, (trace(H)/N) / (3 sd(g))), with H the Hessian and g the gradient of the loss with respect to a
/// quantizer's discretized values x_q (N elements), the trace estimated by Hutchinson's method with Rademacher
/// vectors (Hessian-vector products by double backward), averaged over a few batches (METHODS.md: 3 batches,
/// refreshed every 10 epochs).
/// </summary>
public static class HutchinsonDelta
{
    /// <summary>
    /// Hutchinson's estimate of trace(H), H the Hessian of a loss with respect to <paramref name="input"/>:
    /// the mean of v^T H v over Rademacher vectors v, drawing until the mean changes by less than
    /// <paramref name="tolerance"/> relative (EWGS's stopping rule) or <paramref name="maxSamples"/> are drawn.
    /// </summary>
    /// <param name="gradient">dLoss/dInput computed with <c>createGraph: true</c> (not disposed).</param>
    /// <param name="input">The tensor the gradient is taken with respect to (not disposed).</param>
    /// <param name="generator">Random source of the Rademacher vectors (CPU); null uses the global generator.</param>
    /// <param name="maxSamples">Most Rademacher vectors to draw.</param>
    /// <param name="tolerance">Relative change of the running mean below which drawing stops.</param>
    /// <returns>The estimate; 0 when the gradient does not depend on the input (a loss linear in it).</returns>
    public static double Trace(Tensor gradient, Tensor input, Generator? generator = null, int maxSamples = 50, double tolerance = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(input);
        return Traces([gradient], [input], generator, maxSamples, tolerance)[0];
    }

    /// <summary>
    /// Hutchinson's estimates of the diagonal blocks' traces trace(H_kk) of the joint Hessian of one loss with respect
    /// to several <paramref name="inputs"/>, all from one Hessian-vector product per sample: with independent
    /// Rademacher vectors v_k, E[v_k^T (H v)_k] = trace(H_kk), since the cross terms v_k^T H_kj v_j (j != k) have
    /// mean 0. One sample therefore costs one double-backward pass whatever the number of inputs (instead of one per
    /// input), at the price of more variance. Each input's running mean stops with EWGS's rule (relative change below
    /// <paramref name="tolerance"/>) and keeps its value; drawing ends when every input stopped or after
    /// <paramref name="maxSamples"/>.
    /// </summary>
    /// <param name="gradients">dLoss/dInput_k, computed with <c>createGraph: true</c> in one pass (not disposed).</param>
    /// <param name="inputs">The tensors the gradients are taken with respect to (not disposed).</param>
    /// <param name="generator">Random source of the Rademacher vectors (CPU); null uses the global generator.</param>
    /// <param name="maxSamples">Most Rademacher vectors to draw.</param>
    /// <param name="tolerance">Relative change of a running mean below which that input stops.</param>
    /// <returns>One estimate per input; 0 for an input whose gradient does not depend on the inputs.</returns>
    public static double[] Traces(
        IReadOnlyList<Tensor> gradients, IReadOnlyList<Tensor> inputs, Generator? generator = null, int maxSamples = 50,
        double tolerance = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        if (gradients.Count != inputs.Count)
        {
            throw new ArgumentException($"{gradients.Count} gradients for {inputs.Count} inputs.", nameof(gradients));
        }

        var result = new double[inputs.Count];
        // Inputs whose gradient is constant have a zero Hessian block (and cannot be differentiated again).
        var live = Enumerable.Range(0, inputs.Count).Where(k => gradients[k].RequiresGrad).ToArray();
        if (live.Length == 0)
        {
            return result;
        }

        var outputs = live.Select(k => gradients[k]).ToArray();
        var liveInputs = live.Select(k => inputs[k]).ToArray();
        var open = new HashSet<int>(live);
        var sums = new double[inputs.Count];
        var previous = new double[inputs.Count];
        var drawn = 0;
        for (var i = 1; i <= maxSamples && open.Count > 0; i++)
        {
            drawn = i;
            using var scope = DisposeScope.Enter();
            var vs = liveInputs.Select(x => Rademacher(x, generator)).ToArray();
            var hvs = Autograd.Grad(outputs, liveInputs, vs, retainGraph: true, allowUnused: true);
            for (var j = 0; j < live.Length; j++)
            {
                var k = live[j];
                if (!open.Contains(k))
                {
                    continue;
                }

                sums[k] += hvs[j] is { } hv ? (hv * vs[j]).Sum().ToDouble() : 0;
                var mean = sums[k] / i;
                if (Math.Abs(mean - previous[k]) / (Math.Abs(previous[k]) + 1e-6) < tolerance)
                {
                    result[k] = mean;
                    open.Remove(k);
                }

                previous[k] = mean;
            }
        }

        foreach (var k in open)
        {
            result[k] = sums[k] / drawn;
        }

        return result;
    }

    // Drawn in logical (row-major) order, so the same vector whatever like's memory format; then given like's
    // layout, so that the Hessian-vector products run on one dense layout.
    private static Tensor Rademacher(Tensor like, Generator? generator)
    {
        using var scope = DisposeScope.Enter();
        var v = ((Tensor.RandInt(0, 2, like.Shape, generator) * 2) - 1).To(like.Dtype, like.Device);
        return scope.MoveToOuter(like.MemoryFormat == MemoryFormat.ChannelsLast ? v.ToMemoryFormat(MemoryFormat.ChannelsLast) : v);
    }

    /// <summary>
    /// Estimates delta for each quantizer: for each batch, <paramref name="loss"/>(batch) is evaluated with the
    /// quantizers capturing their x_q, then per quantizer (trace(H)/N) / (3 sd(g)); the per-batch values are
    /// averaged and clamped at 0. Quantizers the loss does not reach get 0. Does not change
    /// <see cref="EwgsQuantizer.Delta"/>, parameters or their gradients.
    /// </summary>
    /// <param name="quantizers">The quantizers to estimate.</param>
    /// <param name="loss">Computes the scalar training loss of batch <c>i</c> (0-based) through the model; the
    /// returned tensor is disposed here.</param>
    /// <param name="batches">Batches to average over (METHODS.md: 3).</param>
    /// <param name="generator">Random source of the Rademacher vectors.</param>
    /// <param name="maxSamples">Most Rademacher vectors per quantizer and batch.</param>
    /// <param name="tolerance">Hutchinson's relative stopping tolerance.</param>
    /// <returns>One delta (&gt;= 0) per quantizer, in order.</returns>
    public static double[] Estimate(
        IReadOnlyList<EwgsQuantizer> quantizers, Func<int, Tensor> loss, int batches = 3, Generator? generator = null,
        int maxSamples = 50, double tolerance = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(quantizers);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batches);
        var sums = new double[quantizers.Count];
        try
        {
            foreach (var q in quantizers)
            {
                q.CaptureDiscretized = true;
            }

            for (var b = 0; b < batches; b++)
            {
                using var scope = DisposeScope.Enter();
                var value = loss(b);
                var reached = quantizers.Select((q, i) => (q.Captured, i)).Where(c => c.Captured is not null).ToList();
                if (reached.Count == 0)
                {
                    continue;
                }

                var inputs = reached.Select(c => c.Captured!).ToArray();
                var grads = Autograd.Grad([value], inputs, retainGraph: true, createGraph: true, allowUnused: true);
                // Quantizers whose gradient is missing or flat contribute 0 for this batch.
                var live = Enumerable.Range(0, reached.Count)
                    .Where(k => grads[k] is { } g && g.Std().ToDouble() > 0)
                    .ToList();
                if (live.Count > 0)
                {
                    var traces = Traces(
                        live.Select(k => grads[k]!).ToArray(), live.Select(k => inputs[k]).ToArray(), generator, maxSamples, tolerance);
                    for (var j = 0; j < live.Count; j++)
                    {
                        var k = live[j];
                        sums[reached[k].i] += traces[j] / inputs[k].NumElements / (3 * grads[k]!.Std().ToDouble());
                    }
                }

                foreach (var q in quantizers)
                {
                    q.ReleaseCaptured();
                }
            }
        }
        finally
        {
            foreach (var q in quantizers)
            {
                q.CaptureDiscretized = false;
                q.ReleaseCaptured();
            }
        }

        return sums.Select(s => Math.Max(0, s / batches)).ToArray();
    }

    /// <summary>
    /// Estimates delta (<see cref="Estimate"/>) for every <see cref="EwgsQuantizer"/> in <paramref name="model"/>
    /// and sets <see cref="EwgsQuantizer.Delta"/>. The caller puts the model in the mode the loss should run in.
    /// </summary>
    /// <returns>The new deltas by quantizer name.</returns>
    public static IReadOnlyDictionary<string, double> Update(
        Module model, Func<int, Tensor> loss, int batches = 3, Generator? generator = null, int maxSamples = 50, double tolerance = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(model);
        var named = model.NamedQuantizers().Where(q => q.Quantizer is EwgsQuantizer).Select(q => (q.Name, (EwgsQuantizer)q.Quantizer)).ToList();
        var deltas = Estimate(named.Select(n => n.Item2).ToList(), loss, batches, generator, maxSamples, tolerance);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < named.Count; i++)
        {
            named[i].Item2.Delta = deltas[i];
            result[named[i].Name] = deltas[i];
        }

        return result;
    }
}
