namespace Sweeps.Reports;

/// <summary>Which of a trial's test top-1 figures the report's tables and charts show.</summary>
public enum AccuracyMetric
{
    /// <summary>The test top-1 after the last epoch, that is of the final model (the one saved as <c>model.pt</c> and
    /// distilled from): <c>last_top1</c>. The default, for every row alike: the recipes anneal the learning rate to 0,
    /// so the last epoch is the trained model, whatever the run's length.</summary>
    Last,

    /// <summary>The mean test top-1 of the last five epochs (of all epochs when fewer): <c>mean_last5_top1</c>. Less
    /// noisy on long runs, whose last epochs barely move; misleading on short ones, where it averages undertrained
    /// early epochs (a 6-epoch run's mean includes epochs 2 to 6).</summary>
    MeanLast5,

    /// <summary>The best test top-1 over the epochs: <c>best_top1</c>. Picking the best epoch on the test set flatters
    /// every method, so it is never the default.</summary>
    Best,
}
