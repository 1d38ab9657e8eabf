using System.Globalization;
using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// LSQ (Esser et al., "Learned Step Size Quantization", ICLR 2020): v_q = round(clamp(v/s, -Qn, Qp)) s with a
/// straight-through round, the step s (<c>step</c>) learnable with its gradient scaled by
/// g = 1/sqrt(N Qp). Signed (weights, or a signed input): Qn = 2^(b-1), Qp = 2^(b-1) - 1; unsigned (activations
/// after ReLU): Qn = 0, Qp = 2^b - 1. Per-tensor step, initialised from the first input to 2 mean|v| / sqrt(Qp); or, for
/// weights, one step per output channel (dimension 0; METHODS.md: "weights may be per-channel (LSQ)"), each
/// initialised from its channel's weights the same way.
/// </summary>
/// <remarks>N is the number of weights for a per-tensor weight quantizer, the number of weights of one output channel
/// for a per-channel one, and the number of features per sample (elements / batch size) for an activation quantizer,
/// as in the paper.</remarks>
public sealed class LsqQuantizer : Quantizer
{
    /// <summary>Creates the quantizer (step 1 until the first input initialises it).</summary>
    /// <param name="target">Weights or activations.</param>
    /// <param name="bits">Bit-width: 2..8 signed, 1..8 unsigned.</param>
    /// <param name="signed">Whether the grid is signed; weights always are.</param>
    /// <param name="channels">For weights: 0 for one step (per-tensor), or the number of output channels (the weight's
    /// first dimension) for one step per channel (the parameter <c>step</c> then has shape [channels]).</param>
    /// <exception cref="ArgumentOutOfRangeException">A signed grid with fewer than 2 bits (Qp would be 0), negative
    /// <paramref name="channels"/>, or per-channel steps for activations.</exception>
    public LsqQuantizer(QuantizationTarget target, int bits, bool signed = false, long channels = 0)
        : base(target, bits, lazyInitialization: true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        if (channels > 0 && target != QuantizationTarget.Weights)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "per-channel steps are for weights only");
        }

        Signed = signed || target == QuantizationTarget.Weights;
        if (Signed && bits < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "a signed LSQ grid needs at least 2 bits");
        }

        NegativeLevels = Signed ? 1L << (bits - 1) : 0;
        PositiveLevels = Signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
        Channels = channels;
        Step = channels > 0 ? RegisterParameter("step", Tensor.Ones([channels])) : RegisterScalar("step", 1);
    }

    /// <summary>The number of per-channel steps, or 0 for one per-tensor step.</summary>
    public long Channels { get; }

    /// <summary>Whether the grid is signed.</summary>
    public bool Signed { get; }

    /// <summary>Qn: the grid is {-Qn, ..., Qp} s.</summary>
    public long NegativeLevels { get; }

    /// <summary>Qp: the grid is {-Qn, ..., Qp} s.</summary>
    public long PositiveLevels { get; }

    /// <summary>The step s: a scalar, or [<see cref="Channels"/>] per output channel (a learnable parameter, owned by this
    /// module).</summary>
    public Tensor Step { get; }

    /// <summary>LSQ's gradient scale 1/sqrt(N Qp) for an input of this shape (N as in the remarks).</summary>
    public double GradientScale(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        if ((Target == QuantizationTarget.Activations || Channels > 0) && shape.Length > 1)
        {
            n /= shape[0];
        }

        return 1 / Math.Sqrt(n * (double)PositiveLevels);
    }

    /// <inheritdoc/>
    /// <remarks>Per channel: the mean over the channels.</remarks>
    public override double ClipRange()
    {
        using var scope = DisposeScope.Enter();
        return Step.Mean().ToDouble() * (NegativeLevels + PositiveLevels);
    }

    /// <summary>The quantizer's settings, e.g. <c>LsqQuantizer(Weights, bits=4, Qn=8, Qp=7)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"LsqQuantizer({Target}, bits={Bits}, Qn={NegativeLevels}, Qp={PositiveLevels}{(Channels > 0 ? $", per-channel {Channels}" : "")})");

    /// <inheritdoc/>
    protected override void Initialize(Tensor input)
    {
        if (Channels == 0)
        {
            Step.FillInPlace(2 * input.Abs().Mean().ToDouble() / Math.Sqrt(PositiveLevels));
            return;
        }

        CheckChannels(input);
        Step.CopyFrom(input.Abs().Flatten(1).Mean([1]) * (2 / Math.Sqrt(PositiveLevels)));
    }

    /// <inheritdoc/>
    protected override Tensor Quantize(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        var broadcastStep = Channels == 0 ? Step : Step.View([Channels, .. Enumerable.Repeat(1L, CheckChannels(input) - 1)]);
        var step = StraightThrough.ScaleGradient(broadcastStep, GradientScale(input.Shape));
        var levels = StraightThrough.Round((input / step).Clamp(-NegativeLevels, PositiveLevels));
        return scope.MoveToOuter(levels * step);
    }

    // The input's rank, after checking that its first dimension has one entry per step.
    private int CheckChannels(Tensor input)
    {
        var shape = input.Shape;
        if (shape.Length < 1 || shape[0] != Channels)
        {
            throw new ArgumentException(
                $"a per-channel LSQ quantizer with {Channels} steps got an input of shape [{string.Join(", ", shape)}]: its first dimension must be {Channels}",
                nameof(input));
        }

        return shape.Length;
    }
}
