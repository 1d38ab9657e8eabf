namespace Sweeps.Training.Data;

/// <summary>Which part of a dataset to read.</summary>
public enum DatasetSplit
{
    /// <summary>The training set.</summary>
    Train,

    /// <summary>The test set.</summary>
    Test,
}
