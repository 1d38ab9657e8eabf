namespace Sweeps.Training.Training;

/// <summary>How many unreadable images a run's image folder left out (<c>skip_bad_images: true</c>), per split.</summary>
/// <param name="Train">Left out of <c>train/</c>.</param>
/// <param name="Test">Left out of <c>val/</c>.</param>
public sealed record SkippedImagesRecord(int Train, int Test);
