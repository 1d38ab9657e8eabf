using System.Globalization;
using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// EWGS / unified quantizer (Lee et al., "Network Quantization with Element-wise Gradient Scaling", CVPR 2021;
/// the quantizer of SQAKD's code). Learnable interval [l, u] (<c>lower</c>, <c>upper</c>):
/// x^ = clamp((x - l)/(u - l), 0, 1), x_q = round(x^ (L-1))/(L-1) with L = 2^bits, backward
/// g (1 + delta sign(g) (x^ - x_q)) (<see cref="Functional.EwgsRound"/>). Weights are output as
/// 2 (x_q - 1/2) s, activations as x_q s, with a learnable output scale s (<c>scale</c>).
/// A signed activation input (a model's first layer sees the normalised image, which is negative in
/// part) is dequantised affinely instead, (x_q (u - l) + l) s: dropping l there would shift every
/// input of the first layer, and a student loaded from its teacher would start far from it. METHODS.md
/// does not say how a signed input is handled; this is our choice.
/// </summary>
/// <remarks>
/// Initialisation from the first input: weights u = 3 sd(W), l = -3 sd(W); activations
/// u = 3 sd(x)/sqrt(1 - 2/pi), l = min x. EWGS learns one output scale per layer, initialised so the quantized
/// layer's mean |output| matches the full-precision one; here each quantizer carries its own scale, initialised
/// to mean|x| / mean|q(x)| with s = 1 (the product of a layer's two scales plays the role of EWGS's).
/// <see cref="Delta"/> is 0 (plain STE) until set, e.g. by <see cref="HutchinsonDelta.Update"/>.
/// </remarks>
public sealed class EwgsQuantizer : Quantizer
{
    private Tensor? _captured;
    private double _delta;

    /// <summary>Creates the quantizer with l = 0, u = 1, s = 1 until the first input initialises them.</summary>
    /// <param name="target">Weights or activations.</param>
    /// <param name="bits">Bit-width, 1..8 (L = 2^bits levels).</param>
    /// <param name="signedInput">For activations: the input can be negative; output the affine dequantisation.</param>
    public EwgsQuantizer(QuantizationTarget target, int bits, bool signedInput = false)
        : base(target, bits, lazyInitialization: true)
    {
        SignedInput = signedInput && target == QuantizationTarget.Activations;
        Lower = RegisterScalar("lower", 0);
        Upper = RegisterScalar("upper", 1);
        Scale = RegisterScalar("scale", 1);
    }

    /// <summary>Whether this activation quantizer dequantises affinely, (x_q (u - l) + l) s, for a signed input.</summary>
    public bool SignedInput { get; }

    /// <summary>The interval's lower end l (a learnable parameter, owned by this module).</summary>
    public Tensor Lower { get; }

    /// <summary>The interval's upper end u (a learnable parameter, owned by this module).</summary>
    public Tensor Upper { get; }

    /// <summary>The output scale s (a learnable parameter, owned by this module).</summary>
    public Tensor Scale { get; }

    /// <summary>Number of levels L = 2^bits.</summary>
    public long Levels => 1L << Bits;

    /// <summary>EWGS's gradient scaling factor delta (&gt;= 0; 0 = straight-through estimator).</summary>
    public double Delta
    {
        get => _delta;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _delta = value;
        }
    }

    /// <summary>When set, each forward keeps its x_q (the discretizer output, in [0, 1]) for
    /// <see cref="HutchinsonDelta"/>; the previous one is released.</summary>
    internal bool CaptureDiscretized { get; set; }

    /// <summary>
    /// Whether CPU inputs go through the fused EWGS kernel (<see cref="Functional.EwgsQuantize"/>; default) or the
    /// composed tensor ops (the reference the kernel is tested against; <c>SWEEPS_EWGS_FUSED=0</c> at start-up
    /// chooses them). Both compute the same values and gradients.
    /// </summary>
    public static bool FusedKernel { get; set; } = Environment.GetEnvironmentVariable("SWEEPS_EWGS_FUSED") != "0";

    /// <summary>This quantizer's choice of kernel; null follows <see cref="FusedKernel"/> (tests compare the two).</summary>
    internal bool? UseFusedKernel { get; set; }

    /// <summary>The last captured x_q (owned by this quantizer until <see cref="ReleaseCaptured"/>).</summary>
    internal Tensor? Captured => _captured;

    /// <inheritdoc/>
    public override double ClipRange() => Upper.ToDouble() - Lower.ToDouble();

    /// <summary>The quantizer's settings, e.g. <c>EwgsQuantizer(Weights, bits=4, delta=0)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"EwgsQuantizer({Target}, bits={Bits}, delta={Delta:G4})");

    internal void ReleaseCaptured()
    {
        _captured?.Dispose();
        _captured = null;
    }

    /// <inheritdoc/>
    protected override void Initialize(Tensor input)
    {
        if (Target == QuantizationTarget.Weights)
        {
            var sd = input.Std().ToDouble();
            Upper.FillInPlace(3 * sd);
            Lower.FillInPlace(-3 * sd);
        }
        else
        {
            var sd = input.Std().ToDouble();
            Upper.FillInPlace(3 * sd / Math.Sqrt(1 - (2 / Math.PI)));
            Lower.FillInPlace(input.Min().ToDouble());
        }

        var quantizedMean = Discretize(input, capture: false).Abs().Mean().ToDouble();
        var inputMean = input.Abs().Mean().ToDouble();
        Scale.FillInPlace(quantizedMean > 0 ? inputMean / quantizedMean : 1);
    }

    /// <inheritdoc/>
    protected override Tensor Quantize(Tensor input)
    {
        // The fused kernel (one pass each way) on the CPU; the composed ops where the discretized values are captured
        // for the delta update (its Hessian-vector products differentiate the backward again) and on CUDA.
        if ((UseFusedKernel ?? FusedKernel) && !CaptureDiscretized && input.Device.Type == DeviceType.Cpu)
        {
            var mode = Target == QuantizationTarget.Weights ? 0 : SignedInput ? 2 : 1;
            return Functional.EwgsQuantize(input, Lower, Upper, Scale, Levels, Delta, mode);
        }

        using var scope = DisposeScope.Enter();
        return scope.MoveToOuter(Discretize(input, CaptureDiscretized) * Scale);
    }

    // The quantized value before the output scale: 2 (x_q - 1/2) for weights, x_q for activations,
    // x_q (u - l) + l for signed activations.
    private Tensor Discretize(Tensor input, bool capture)
    {
        using var scope = DisposeScope.Enter();
        var normalized = ((input - Lower) / (Upper - Lower)).Clamp(0, 1);
        var discretized = Functional.EwgsRound(normalized, Levels, Delta);
        if (capture)
        {
            ReleaseCaptured();
            _captured = discretized.Alias();
            DisposeScope.Detach(_captured);
        }

        var result = Target == QuantizationTarget.Weights ? (discretized - 0.5) * 2
            : SignedInput ? (discretized * (Upper - Lower)) + Lower
            : discretized;
        return scope.MoveToOuter(result);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseCaptured();
        }

        base.Dispose(disposing);
    }
}
