using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>Neural-network operations on tensors (torch.nn.functional), all differentiable.</summary>
public static class Functional
{
    private static TensorHandle H(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Handle;
    }

    /// <summary>2-D convolution of NCHW input with OIHW weights.</summary>
    public static unsafe Tensor Conv2d(
        Tensor input, Tensor weight, Tensor? bias = null, (long H, long W)? stride = null, (long H, long W)? padding = null,
        (long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        long* sv = stackalloc long[] { s.H, s.W };
        long* pv = stackalloc long[] { p.H, p.W };
        long* dv = stackalloc long[] { d.H, d.W };
        var result = Tensor.Wrap(NativeMethods.swNN_conv2d(H(input), H(weight), Tensor.RawOrZero(bias), sv, pv, dv, groups));
        GC.KeepAlive(bias);
        return result;
    }

    /// <summary>x W^T + b.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        var result = Tensor.Wrap(NativeMethods.swNN_linear(H(input), H(weight), Tensor.RawOrZero(bias)));
        GC.KeepAlive(bias);
        return result;
    }

    /// <summary>
    /// Batch normalisation over (N, H, W) per channel. In training mode uses batch statistics and
    /// updates the running statistics in place with <paramref name="momentum"/>; otherwise uses them.
    /// </summary>
    public static Tensor BatchNorm(
        Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training,
        double momentum = 0.1, double eps = 1e-5)
    {
        var result = Tensor.Wrap(NativeMethods.swNN_batchNorm(
            H(input), Tensor.RawOrZero(weight), Tensor.RawOrZero(bias), Tensor.RawOrZero(runningMean),
            Tensor.RawOrZero(runningVar), training ? 1 : 0, momentum, eps));
        GC.KeepAlive(weight);
        GC.KeepAlive(bias);
        GC.KeepAlive(runningMean);
        GC.KeepAlive(runningVar);
        return result;
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor input) => Tensor.Wrap(NativeMethods.swNN_relu(H(input)));

    /// <summary>max(x, 0) in place; returns the input.</summary>
    public static Tensor ReluInPlace(Tensor input)
    {
        NativeMethods.Check(NativeMethods.swNN_relu_(H(input)));
        return input;
    }

    /// <summary>2-D max pooling (stride defaults to the kernel size).</summary>
    public static unsafe Tensor MaxPool2d(Tensor input, long kernel, long? stride = null, long padding = 0)
    {
        long* k = stackalloc long[] { kernel, kernel };
        long* s = stackalloc long[] { stride ?? kernel, stride ?? kernel };
        long* p = stackalloc long[] { padding, padding };
        return Tensor.Wrap(NativeMethods.swNN_maxPool2d(H(input), k, s, p));
    }

    /// <summary>2-D average pooling (stride defaults to the kernel size).</summary>
    public static unsafe Tensor AvgPool2d(Tensor input, long kernel, long? stride = null, long padding = 0)
    {
        long* k = stackalloc long[] { kernel, kernel };
        long* s = stackalloc long[] { stride ?? kernel, stride ?? kernel };
        long* p = stackalloc long[] { padding, padding };
        return Tensor.Wrap(NativeMethods.swNN_avgPool2d(H(input), k, s, p));
    }

    /// <summary>Average pooling to a fixed output size (1 x 1 = global average pooling).</summary>
    public static unsafe Tensor AdaptiveAvgPool2d(Tensor input, long outputHeight = 1, long outputWidth = 1)
    {
        long* o = stackalloc long[] { outputHeight, outputWidth };
        return Tensor.Wrap(NativeMethods.swNN_adaptiveAvgPool2d(H(input), o));
    }

    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p), in training mode only.</summary>
    public static Tensor Dropout(Tensor input, double p, bool training) =>
        Tensor.Wrap(NativeMethods.swNN_dropout(H(input), p, training ? 1 : 0));

    /// <summary>Softmax along a dimension.</summary>
    public static Tensor Softmax(Tensor input, long dim) => Tensor.Wrap(NativeMethods.swNN_softmax(H(input), dim));

    /// <summary>Log-softmax along a dimension.</summary>
    public static Tensor LogSoftmax(Tensor input, long dim) => Tensor.Wrap(NativeMethods.swNN_logSoftmax(H(input), dim));

    /// <summary>Cross-entropy of logits (N x C) against class indices (N, Int64).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean, double labelSmoothing = 0) =>
        Tensor.Wrap(NativeMethods.swNN_crossEntropy(H(logits), H(target), (long)reduction, labelSmoothing));

    /// <summary>Negative log-likelihood of log-probabilities against class indices.</summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.swNN_nllLoss(H(logProbabilities), H(target), (long)reduction));

    /// <summary>
    /// KL(target || input) as torch.nn.functional.kl_div: <paramref name="input"/> holds
    /// log-probabilities; <paramref name="target"/> probabilities (or log-probabilities with
    /// <paramref name="logTarget"/>). Use <see cref="Reduction.BatchMean"/> for the true KL per sample.
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.BatchMean, bool logTarget = false) =>
        Tensor.Wrap(NativeMethods.swNN_klDiv(H(input), H(target), (long)reduction, logTarget ? 1 : 0));

    /// <summary>Mean squared error.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.swNN_mseLoss(H(input), H(target), (long)reduction));

    /// <summary>
    /// EWGS rounding (Lee et al., CVPR 2021) of a normalised input x^ in [0, 1] to <paramref name="levels"/>
    /// levels: forward x_q = round(x^ (L-1))/(L-1); backward g (1 + delta sign(g) (x^ - x_q)).
    /// <paramref name="delta"/> = 0 is the straight-through estimator.
    /// </summary>
    public static Tensor EwgsRound(Tensor normalized, long levels, double delta) =>
        Tensor.Wrap(NativeMethods.swAutograd_ewgsRound(H(normalized), levels, delta));

    /// <summary>
    /// The whole EWGS quantizer fused into one pass forward and one backward (CPU tensors only): x^ =
    /// clamp((x - l)/(u - l), 0, 1), x_q = round(x^ (L-1))/(L-1), output s T(x_q) with T(q) = 2q - 1
    /// (<paramref name="mode"/> 0, weights), q (1, activations) or q (u - l) + l (2, signed activations); the
    /// backward is <see cref="EwgsRound"/>'s, through the clamp to x, l, u and s. Values equal the composed ops;
    /// the backward cannot be differentiated again (create_graph fails with an error).
    /// </summary>
    /// <param name="x">The input (CPU).</param>
    /// <param name="lower">l, a scalar tensor.</param>
    /// <param name="upper">u, a scalar tensor.</param>
    /// <param name="scale">s, a scalar tensor.</param>
    /// <param name="levels">L = 2^bits.</param>
    /// <param name="delta">EWGS's delta; 0 is the straight-through estimator.</param>
    /// <param name="mode">0 weights, 1 activations, 2 signed activations.</param>
    public static Tensor EwgsQuantize(Tensor x, Tensor lower, Tensor upper, Tensor scale, long levels, double delta, int mode) =>
        Tensor.Wrap(NativeMethods.swAutograd_ewgsQuantize(H(x), H(lower), H(upper), H(scale), levels, delta, mode));
}
