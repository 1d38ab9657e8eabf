using Sweeps.Torch;

namespace Sweeps.Training.Training;

/// <summary>Top-k classification accuracy.</summary>
public static class Accuracy
{
    /// <summary>How many samples have their label among the <paramref name="k"/> largest logits (ties broken as
    /// libtorch's topk does). k larger than the class count counts every sample.</summary>
    /// <param name="logits">[N, classes]; not disposed.</param>
    /// <param name="labels">[N], int64, on the same device; not disposed.</param>
    /// <param name="k">At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1.</exception>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public static long Correct(Tensor logits, Tensor labels, int k)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (logits.Dim != 2 || labels.Dim != 1 || logits.Size(0) != labels.Size(0))
        {
            throw new ArgumentException("expected logits [N, classes] and labels [N]");
        }

        using var scope = DisposeScope.Enter();
        var (_, indices) = logits.TopK(Math.Min(k, logits.Size(1)), dim: 1);
        return indices.Eq(labels.Unsqueeze(1)).Sum().ToInt64();
    }
}
