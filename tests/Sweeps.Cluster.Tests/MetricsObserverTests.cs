using System.Text;
using Sweeps.Actors;
using Sweeps.Actors.State;
using Sweeps.Monitoring;
using Sweeps.Training.Training;

namespace Sweeps.Cluster.Tests;

/// <summary>The adapter from sweep events to Prometheus metrics, read back from the rendered exposition text.</summary>
public sealed class MetricsObserverTests
{
    [Fact]
    public void SlotChanged_TwoSlotsOnOneDevice_BusyUntilBothAreIdle()
    {
        using var metrics = new SweepMetrics();
        var observer = new MetricsObserver(metrics, () => SweepState.Create([]));

        Assert.Equal(1, Busy(metrics, observer, true, "a"));
        Assert.Equal(1, Busy(metrics, observer, true, "b"));
        Assert.Equal(1, Busy(metrics, observer, false, "a"));
        Assert.Equal(0, Busy(metrics, observer, false, "b"));
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

    private static double Busy(SweepMetrics metrics, MetricsObserver observer, bool busy, string trial)
    {
        observer.SlotChanged(new SlotReport("node-1", "cpu", trial == "a" ? 0 : 1, busy, trial, 0));
        var line = Encoding.UTF8.GetString(metrics.Scrape()).Split('\n')
            .Single(l => l.StartsWith("sweeps_slot_busy{", StringComparison.Ordinal) && l.Contains("device=\"cpu\"", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
