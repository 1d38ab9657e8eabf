namespace Sweeps.Reports;

/// <summary>Which of a trial's test top-1 figures the report's tables and charts show.</summary>
public enum AccuracyMetric
{
    /// <summary>The mean test top-1 of the last five epochs (of all epochs when fewer): <c>mean_last5_top1</c>. The
    /// default: it is as honest as <see cref="Last"/> and less noisy.</summary>
    MeanLast5,

    /// <summary>The test top-1 after the last epoch: <c>last_top1</c>.</summary>
    Last,

    /// <summary>The best test top-1 over the epochs: <c>best_top1</c>. Picking the best epoch on the test set flatters
    /// every method, so it is never the default.</summary>
    Best,
}
