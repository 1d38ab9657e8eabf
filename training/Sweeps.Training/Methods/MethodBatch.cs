using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// A batch of some kind as the trainer handles it: the sample count, the labels for counting training accuracy (null
/// for unlabeled batches, which have none), and the batch itself, which only the method's own base class unwraps.
/// Disposing it disposes the batch.
/// </summary>
internal sealed class MethodBatch(IDisposable batch, int count, Tensor? labels) : IDisposable
{
    public IDisposable Batch { get; } = batch;

    public int Count { get; } = count;

    public Tensor? Labels { get; } = labels;

    public void Dispose() => Batch.Dispose();
}
