using Sweeps.Actors.Messages;
using Sweeps.Actors.State;

namespace Sweeps.Actors.Tests;

/// <summary>An observer that throws never breaks the sweep, and is never silent: each kind of failure is logged once.</summary>
public sealed class ObserverFailuresTests
{
    private static readonly TrialLabels Trial = new("t", "t-1", "resnet20", "fashion-mnist", "qat", 2, 2, 2147483648L);

    [Fact]
    public void Safely_SameFailureThreeTimes_LoggedOnceAndCountedThrice()
    {
        var log = new List<string>();
        var failures = new ObserverFailures(log.Add);
        var observer = new ThrowingObserver();

        for (var i = 0; i < 3; i++)
        {
            Observe.Safely(() => observer.TrialStateChanged(Trial, TrialStatus.Pending, TrialStatus.Running), failures);
        }

        Assert.Equal(3, observer.Calls);
        Assert.Equal(3, failures.Count);
        var line = Assert.Single(log);
        Assert.StartsWith("warning: a sweep observer failed (System.OverflowException in ", line, StringComparison.Ordinal);
        Assert.Contains(nameof(ThrowingObserver), line, StringComparison.Ordinal);
        Assert.Contains("seed 2147483648 does not fit", line, StringComparison.Ordinal);
        // The stack trace names the observer's method.
        Assert.Contains("ThrowingObserver.TrialStateChanged", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Safely_AnotherKindOfFailure_IsLoggedToo()
    {
        var log = new List<string>();
        var failures = new ObserverFailures(log.Add);
        var observer = new ThrowingObserver();

        Observe.Safely(() => observer.TrialStateChanged(Trial, TrialStatus.Pending, TrialStatus.Running), failures);
        Observe.Safely(() => observer.SweepFinished("t", "completed"), failures);
        Observe.Safely(() => observer.SweepFinished("t", "completed"), failures);

        Assert.Equal(3, failures.Count);
        Assert.Equal(2, log.Count);
        Assert.Contains("System.IO.IOException in ", log[1], StringComparison.Ordinal);
        Assert.Contains("disk full", log[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Safely_NoFailure_LogsNothing()
    {
        var log = new List<string>();
        var failures = new ObserverFailures(log.Add);
        var calls = 0;
        Observe.Safely(() => calls++, failures);
        Assert.Equal(1, calls);
        Assert.Equal(0, failures.Count);
        Assert.Empty(log);
    }

    [Fact]
    public void Safely_WithoutFailuresGiven_ReportsToTheDefault()
    {
        var before = ObserverFailures.Default.Count;
        Observe.Safely(() => new ThrowingObserver().SweepFinished("t", "completed"));
        Assert.True(ObserverFailures.Default.Count > before);
    }

    [Fact]
    public void CompositeObserver_OneObserverThrows_TheOthersStillHearAndTheFailureIsLogged()
    {
        var log = new List<string>();
        var first = new CountingObserver();
        var last = new CountingObserver();
        var composite = new CompositeObserver(first, new ThrowingObserver(), last) { Failures = new ObserverFailures(log.Add) };

        composite.TrialStateChanged(Trial, TrialStatus.Pending, TrialStatus.Running);
        composite.TrialStateChanged(Trial, TrialStatus.Running, TrialStatus.Completed);

        Assert.Equal(2, first.Calls);
        Assert.Equal(2, last.Calls);
        Assert.Equal(2, composite.Failures.Count);
        Assert.Contains("OverflowException", Assert.Single(log), StringComparison.Ordinal);
    }

    private sealed class ThrowingObserver : ISweepObserver
    {
        public int Calls { get; private set; }

        public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to)
        {
            Calls++;
            throw new OverflowException($"seed {trial.Seed} does not fit");
        }

        public void SweepFinished(string sweep, string status) => throw new IOException("disk full");
    }

    private sealed class CountingObserver : ISweepObserver
    {
        public int Calls { get; private set; }

        public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to) => Calls++;
    }
}
