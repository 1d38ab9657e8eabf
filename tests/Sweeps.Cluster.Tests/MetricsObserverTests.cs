using Sweeps.Actors;
using Sweeps.Actors.State;
using Sweeps.Monitoring;
using Sweeps.Monitoring.Tests;
using Sweeps.Training.Training;

namespace Sweeps.Cluster.Tests;

/// <summary>The adapter from sweep events to Prometheus metrics, read back from a scrape of the /metrics endpoint.</summary>
public sealed class MetricsObserverTests
{
    [Fact]
    public async Task SlotChanged_TwoSlotsOnOneDevice_BusyUntilBothAreIdle()
    {
        await using var served = await ServedMetrics.StartAsync();
        var observer = new MetricsObserver(served.Metrics, () => SweepState.Create([]));

        Assert.Equal(1, await BusyAsync(served, observer, true, "a"));
        Assert.Equal(1, await BusyAsync(served, observer, true, "b"));
        Assert.Equal(1, await BusyAsync(served, observer, false, "a"));
        Assert.Equal(0, await BusyAsync(served, observer, false, "b"));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(2147483648L)]
    [InlineData(1L << 40)]
    public async Task EpochReported_AnySeedTheSweepFileAccepts_ReachesTheTrialsSeries(long seed)
    {
        // Seeds of 2^31 and more used to be cast to int: the cast threw and the trial's metrics were lost.
        await using var served = await ServedMetrics.StartAsync();
        var observer = new MetricsObserver(served.Metrics, () => SweepState.Create([]));
        var trial = new Sweeps.Actors.TrialLabels("quick", "t-1", "resnet20", "fashion-mnist", "qat", 2, 2, seed);
        observer.TrialStateChanged(trial, TrialStatus.Pending, TrialStatus.Running);
        observer.EpochReported(trial, new EpochReport(3, 10, 0.25, 0.875, 1000, 12));

        var samples = await served.ScrapeAsync();
        var seedLabel = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, samples.Value(MetricNames.TrialEpoch, ("seed", seedLabel)));
        Assert.Equal(0.875, samples.Value(MetricNames.TrialTestTop1, ("seed", seedLabel)));
        Assert.Equal(1, samples.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "running")));
    }

    [Theory]
    [InlineData(double.NaN, true)]
    [InlineData(double.PositiveInfinity, true)]
    [InlineData(double.NegativeInfinity, true)]
    public void IsNonFiniteLoss_TrainerFailureMessages_AreRecognised(double value, bool expected)
    {
        var message = new TrainingFailedException(2, 7, "ce", value).Message;

        Assert.Equal(expected, MetricsObserver.IsNonFiniteLoss(message));
    }

    [Fact]
    public void IsNonFiniteLoss_OtherFailures_AreNot()
    {
        Assert.False(MetricsObserver.IsNonFiniteLoss("/data/train-images-idx3-ubyte: wrong magic number 2049, expected 2051"));
    }

    private static async Task<double> BusyAsync(ServedMetrics served, MetricsObserver observer, bool busy, string trial)
    {
        observer.SlotChanged(new SlotReport("node-1", "cpu", trial == "a" ? 0 : 1, busy, trial, 0));
        return (await served.ScrapeAsync()).Value(MetricNames.SlotBusy, ("node", "node-1"), ("device", "cpu"));
    }
}
