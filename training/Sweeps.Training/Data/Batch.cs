using Sweeps.Torch;

namespace Sweeps.Training.Data;

/// <summary>
/// A batch of images and their labels. The consumer owns it and must dispose it; its tensors belong
/// to no <see cref="DisposeScope"/> (they were created on the loader's thread).
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels, int count)
    {
        Count = count;
        Images = images;
        Labels = labels;
    }

    /// <summary>Normalised images, float32, N x C x H x W, on the loader's device.</summary>
    public Tensor Images { get; }

    /// <summary>Class labels, int64, N, on the loader's device.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <summary>Disposes both tensors. Idempotent.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
