namespace Sweeps.Training.Training;

/// <summary>The normalisation of a run's inputs as <c>final.json</c> records it: (pixel / 255 - mean[c]) / std[c].</summary>
/// <param name="Mean">Per-channel means, in units of the [0, 1] pixel scale.</param>
/// <param name="Std">Per-channel standard deviations, in units of the [0, 1] pixel scale.</param>
public sealed record NormalizationRecord(IReadOnlyList<float> Mean, IReadOnlyList<float> Std);
