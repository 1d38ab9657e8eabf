namespace Sweeps.Torch;

/// <summary>How a loss reduces over elements.</summary>
public enum Reduction
{
    /// <summary>One value per element.</summary>
    None = 0,

    /// <summary>The mean over elements.</summary>
    Mean = 1,

    /// <summary>The sum over elements.</summary>
    Sum = 2,

    /// <summary>The sum divided by the batch size (first dimension); KL divergence only.</summary>
    BatchMean = 3,
}
