using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Quantization;

/// <summary>
/// A fake quantizer: <see cref="Module.Forward(Tensor)"/> returns a tensor of the input's shape whose values lie
/// on the quantizer's grid, with straight-through gradients (METHODS.md, "Quantizers"). Its learnable
/// parameters (interval ends, step, clip level, output scale) are module parameters, so they appear in state
/// dicts (under the owning layer's <c>weight_quantizer.</c> / <c>input_quantizer.</c>) and can be put in the
/// optimiser's quantizer group (<see cref="QuantizationExtensions.QuantizerParameters"/>).
/// </summary>
/// <remarks>
/// Data-dependent quantizers initialise themselves from the first tensor they see (the first forward, in
/// training or evaluation mode) and record it in the persistent buffer <c>initialized</c>, so a student that
/// loads a trained checkpoint does not re-initialise. Not thread-safe.
/// </remarks>
public abstract class Quantizer : Module
{
    private readonly Tensor? _initialized;
    private bool _knownInitialized;

    /// <summary>Creates the quantizer.</summary>
    /// <param name="target">Weights or activations.</param>
    /// <param name="bits">Bit-width, 1..8.</param>
    /// <param name="lazyInitialization">Whether the quantizer initialises from the first input (registers the
    /// <c>initialized</c> buffer; derived classes register their parameters before calling nothing else).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is not 1..8.</exception>
    protected Quantizer(QuantizationTarget target, int bits, bool lazyInitialization)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 8);
        Target = target;
        Bits = bits;
        if (lazyInitialization)
        {
            _initialized = RegisterBuffer("initialized", Tensor.Scalar(0));
        }
        else
        {
            _knownInitialized = true;
        }
    }

    /// <summary>Weights or activations.</summary>
    public QuantizationTarget Target { get; }

    /// <summary>Bit-width (1..8).</summary>
    public int Bits { get; }

    /// <summary>Whether the quantizer's data-dependent parameters have been set (always true for those without).</summary>
    public bool IsInitialized
    {
        get
        {
            if (!_knownInitialized && _initialized is not null)
            {
                _knownInitialized = _initialized.ToDouble() != 0;
            }

            return _knownInitialized;
        }
    }

    /// <summary>
    /// The width of the range the quantizer represents, in the input's units (EWGS u - l, LSQ s (Qn + Qp),
    /// PACT alpha, DoReFa 2 max|tanh w|-normalised = 2, binary 2 mean|w|); for per-epoch statistics.
    /// Reads the parameters (a device synchronisation).
    /// </summary>
    public abstract double ClipRange();

    /// <summary>Quantizes <paramref name="input"/>, initialising the quantizer from it first if needed.</summary>
    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        if (!IsInitialized)
        {
            using (new NoGradScope())
            using (DisposeScope.Enter())
            {
                Initialize(input);
                _initialized!.FillInPlace(1);
            }

            _knownInitialized = true;
        }

        return Quantize(input);
    }

    /// <summary>Sets the data-dependent parameters from the first input (called without gradient recording,
    /// inside a dispose scope). The default does nothing.</summary>
    protected virtual void Initialize(Tensor input)
    {
    }

    /// <summary>The fake-quantized input (a new tensor owned by the caller).</summary>
    protected abstract Tensor Quantize(Tensor input);

    /// <summary>Registers a learnable one-element parameter holding <paramref name="value"/>.</summary>
    protected Tensor RegisterScalar(string name, double value) => RegisterParameter(name, Tensor.Scalar(value));
}
