using Sweeps.Torch;

namespace Sweeps.Training.Data;

/// <summary>
/// Two independently augmented views of the same samples and their labels (for CR). The consumer
/// owns it and must dispose it; its tensors belong to no <see cref="DisposeScope"/>.
/// </summary>
public sealed class TwoViewBatch : IDisposable
{
    internal TwoViewBatch(Tensor view1, Tensor view2, Tensor labels, int count)
    {
        Count = count;
        View1 = view1;
        View2 = view2;
        Labels = labels;
    }

    /// <summary>First view: normalised images, float32, N x C x H x W, on the loader's device.</summary>
    public Tensor View1 { get; }

    /// <summary>Second view of the same samples in the same order, augmented independently of the first.</summary>
    public Tensor View2 { get; }

    /// <summary>Class labels, int64, N, on the loader's device (shared by both views).</summary>
    public Tensor Labels { get; }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <summary>Disposes the three tensors. Idempotent.</summary>
    public void Dispose()
    {
        View1.Dispose();
        View2.Dispose();
        Labels.Dispose();
    }
}
