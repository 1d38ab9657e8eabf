using Sweeps.Torch;

namespace Sweeps.Training.Quantization;

/// <summary>
/// Changes the input of a quantized layer before it is quantized, in training mode only (FPQ's stochastic feature
/// perturbation). Set one on a layer through <see cref="IQuantizedLayer.InputPerturbation"/>; the layer calls
/// <see cref="Perturb"/> on every forward while <c>IsTraining</c>, never in evaluation mode.
/// </summary>
public interface IInputPerturbation
{
    /// <summary>The perturbed input: a new tensor in the current <see cref="DisposeScope"/>, or
    /// <paramref name="input"/> itself when this call leaves it unchanged. Gradients flow to the input.</summary>
    /// <param name="input">The layer's input; not disposed.</param>
    Tensor Perturb(Tensor input);
}
