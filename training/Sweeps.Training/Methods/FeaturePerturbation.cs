using Sweeps.Torch;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Methods;

/// <summary>
/// FPQ's stochastic feature perturbation (METHODS.md; our reconstruction): with probability
/// <see cref="Probability"/> per call, the input x becomes x + sigma sd(x) e with e ~ N(0, 1) elementwise and sd(x) the
/// standard deviation over all of x's elements (population form, treated as a constant: no gradient flows through
/// it); otherwise x is returned unchanged. Installed on every quantized layer of the student, it runs in training mode
/// only (<see cref="IQuantizedLayer.InputPerturbation"/>), i.e. once per layer per forward of a training step.
/// </summary>
/// <remarks>
/// Every call draws its coin (one uniform number) and, when it perturbs, the noise from <see cref="Generator"/> (the
/// trial's checkpointed CPU generator; noise for another device is drawn on the CPU and moved), so a run is
/// reproduced exactly, resumed or not. Not thread-safe.
/// </remarks>
public sealed class FeaturePerturbation : IInputPerturbation
{
    /// <summary>Creates the perturbation.</summary>
    /// <param name="sigma">sigma &gt;= 0, the noise level relative to sd(x).</param>
    /// <param name="probability">The probability, in [0, 1], that a call perturbs.</param>
    /// <param name="generator">The random source (not owned).</param>
    /// <exception cref="ArgumentOutOfRangeException">sigma is negative or the probability is outside [0, 1].</exception>
    public FeaturePerturbation(double sigma, double probability, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(sigma >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be at least 0");
        }

        if (!(probability is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "the probability must lie in [0, 1]");
        }

        Sigma = sigma;
        Probability = probability;
        Generator = generator;
    }

    /// <summary>The noise level sigma.</summary>
    public double Sigma { get; }

    /// <summary>The probability that a call perturbs.</summary>
    public double Probability { get; }

    /// <summary>The random source.</summary>
    public Generator Generator { get; }

    /// <summary>Number of calls that perturbed so far (for tests and statistics).</summary>
    public long PerturbedCalls { get; private set; }

    /// <summary>Number of calls so far.</summary>
    public long Calls { get; private set; }

    /// <inheritdoc/>
    public Tensor Perturb(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Calls++;
        using var scope = DisposeScope.Enter();
        if (Tensor.Rand([1], Generator, ScalarType.Float64).ToDouble() >= Probability)
        {
            return input;
        }

        PerturbedCalls++;
        var sd = input.Detach().Std(unbiased: false);
        var noise = Tensor.Randn(input.Shape, Generator, input.Dtype, input.Device);
        return scope.MoveToOuter(input + (noise * (sd * Sigma)));
    }
}
