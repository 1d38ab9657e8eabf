using System.Globalization;
using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// LSQ (Esser et al., "Learned Step Size Quantization", ICLR 2020): v_q = round(clamp(v/s, -Qn, Qp)) s with a
/// straight-through round, the step s (<c>step</c>) learnable with its gradient scaled by
/// g = 1/sqrt(N Qp). Signed (weights, or a signed input): Qn = 2^(b-1), Qp = 2^(b-1) - 1; unsigned (activations
/// after ReLU): Qn = 0, Qp = 2^b - 1. Per-tensor step, initialised from the first input to 2 mean|v| / sqrt(Qp).
/// </summary>
/// <remarks>N is the number of weights for a weight quantizer and the number of features per sample
/// (elements / batch size) for an activation quantizer, as in the paper.</remarks>
public sealed class LsqQuantizer : Quantizer
{
    /// <summary>Creates the quantizer (step 1 until the first input initialises it).</summary>
    /// <param name="target">Weights or activations.</param>
    /// <param name="bits">Bit-width: 2..8 signed, 1..8 unsigned.</param>
    /// <param name="signed">Whether the grid is signed; weights always are.</param>
    /// <exception cref="ArgumentOutOfRangeException">A signed grid with fewer than 2 bits (Qp would be 0).</exception>
    public LsqQuantizer(QuantizationTarget target, int bits, bool signed = false)
        : base(target, bits, lazyInitialization: true)
    {
        Signed = signed || target == QuantizationTarget.Weights;
        if (Signed && bits < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "a signed LSQ grid needs at least 2 bits");
        }

        NegativeLevels = Signed ? 1L << (bits - 1) : 0;
        PositiveLevels = Signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
        Step = RegisterScalar("step", 1);
    }

    /// <summary>Whether the grid is signed.</summary>
    public bool Signed { get; }

    /// <summary>Qn: the grid is {-Qn, ..., Qp} s.</summary>
    public long NegativeLevels { get; }

    /// <summary>Qp: the grid is {-Qn, ..., Qp} s.</summary>
    public long PositiveLevels { get; }

    /// <summary>The step s (a learnable parameter, owned by this module).</summary>
    public Tensor Step { get; }

    /// <summary>LSQ's gradient scale 1/sqrt(N Qp) for an input of this shape (N as in the remarks).</summary>
    public double GradientScale(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        if (Target == QuantizationTarget.Activations && shape.Length > 1)
        {
            n /= shape[0];
        }

        return 1 / Math.Sqrt(n * (double)PositiveLevels);
    }

    /// <inheritdoc/>
    public override double ClipRange() => Step.ToDouble() * (NegativeLevels + PositiveLevels);

    /// <summary>The quantizer's settings, e.g. <c>LsqQuantizer(Weights, bits=4, Qn=8, Qp=7)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"LsqQuantizer({Target}, bits={Bits}, Qn={NegativeLevels}, Qp={PositiveLevels})");

    /// <inheritdoc/>
    protected override void Initialize(Tensor input) =>
        Step.FillInPlace(2 * input.Abs().Mean().ToDouble() / Math.Sqrt(PositiveLevels));

    /// <inheritdoc/>
    protected override Tensor Quantize(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        var step = StraightThrough.ScaleGradient(Step, GradientScale(input.Shape));
        var levels = StraightThrough.Round((input / step).Clamp(-NegativeLevels, PositiveLevels));
        return scope.MoveToOuter(levels * step);
    }
}
