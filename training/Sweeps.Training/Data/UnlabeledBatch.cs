using Sweeps.Torch;

namespace Sweeps.Training.Data;

/// <summary>
/// A batch of images without labels, for label-free methods (SQAKD): it has no way to reach a
/// label. The consumer owns it and must dispose it; its tensor belongs to no <see cref="DisposeScope"/>.
/// </summary>
public sealed class UnlabeledBatch : IDisposable
{
    internal UnlabeledBatch(Tensor images, int count)
    {
        Images = images;
        Count = count;
    }

    /// <summary>Normalised images, float32, N x C x H x W, on the loader's device.</summary>
    public Tensor Images { get; }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <summary>Disposes the tensor. Idempotent.</summary>
    public void Dispose() => Images.Dispose();
}
