using System.Globalization;
using Sweeps.Torch.Native;

namespace Sweeps.Torch.NN;

/// <summary>
/// Batch normalisation over (N, H, W) for each channel of NCHW input (torch.nn.BatchNorm2d, affine, tracking
/// running statistics). Parameters <c>weight</c> (ones) and <c>bias</c> (zeros); buffers <c>running_mean</c>
/// (zeros), <c>running_var</c> (ones) and <c>num_batches_tracked</c> (Int64 scalar 0), in that order. In training
/// mode the output uses the batch statistics, the running statistics are updated in place
/// (r = (1 - m) r + m batch, with the unbiased batch variance) and num_batches_tracked grows by one; in evaluation
/// mode the output uses the running statistics.
/// </summary>
public sealed class BatchNorm2d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="features">Channels (C of NCHW).</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics; null uses the cumulative average
    /// (1 / num_batches_tracked), as PyTorch's momentum=None.</param>
    /// <exception cref="ArgumentOutOfRangeException">features is not positive, eps is negative or momentum is outside [0, 1].</exception>
    public BatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
        if (momentum is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must lie in [0, 1]");
        }

        Features = features;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor.Ones([features]));
        Bias = RegisterParameter("bias", Tensor.Zeros([features]));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([features]));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones([features]));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], ScalarType.Int64));
    }

    /// <summary>Channels.</summary>
    public long Features { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>Weight of the new batch in the running statistics; null for the cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>The scale gamma [C] (owned by this module).</summary>
    public Tensor Weight { get; }

    /// <summary>The shift beta [C] (owned by this module).</summary>
    public Tensor Bias { get; }

    /// <summary>The running mean [C] (a buffer owned by this module).</summary>
    public Tensor RunningMean { get; }

    /// <summary>The running (unbiased) variance [C] (a buffer owned by this module).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Training-mode forward passes so far (Int64 scalar buffer owned by this module).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>Normalises an [N, C, H, W] input; in training mode also updates the running statistics.</summary>
    /// <exception cref="TorchException">The input is not 4-D or has another channel count.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = Tensor.Wrap(NativeMethods.swNN_batchNorm2d(
            input.Handle, Weight.Handle.DangerousGetHandle(), Bias.Handle.DangerousGetHandle(),
            RunningMean.Handle.DangerousGetHandle(), RunningVar.Handle.DangerousGetHandle(),
            NumBatchesTracked.Handle.DangerousGetHandle(), IsTraining ? 1 : 0, Momentum ?? -1, Eps));
        GC.KeepAlive(this);
        return result;
    }

    /// <summary>PyTorch's description, e.g. <c>BatchNorm2d(16, eps=1e-05, momentum=0.1)</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"BatchNorm2d({Features}, eps={Eps:G}, momentum={(Momentum is { } m ? m.ToString("G", CultureInfo.InvariantCulture) : "None")})");
}
