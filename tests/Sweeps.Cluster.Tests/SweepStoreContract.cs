using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster.Tests;

/// <summary>The <see cref="ISweepStore"/> contract; one derived class per backend.</summary>
public abstract class SweepStoreContract : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 11, 22, 10, 0, 0, 123, TimeSpan.Zero);

    private static readonly TrialSpec Teacher = new() { Id = "m-d-fp-s0", Method = "fp", Model = "m", Dataset = "d", Epochs = 2 };

    private static readonly TrialSpec Student = new()
    {
        Id = "m-d-qat-W4A4-s0", Method = "qat", Model = "m", Dataset = "d", WeightBits = 4, ActivationBits = 4, Quantizer = "ewgs", Epochs = 3, Teacher = "m-d-fp-s0",
    };

    private ISweepStore? _store;

    protected ISweepStore Store => _store ??= Create();

    /// <summary>A new, empty store of the backend.</summary>
    protected abstract ISweepStore Create();

    public virtual void Dispose()
    {
        _store?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Record_NewEvent_TrueAndLoadedBack()
    {
        var e = new TrialStarted("a", 1, 1, Time, "node", "cuda:1");
        Assert.True(Store.Record(e));
        Assert.Equal([e], Store.LoadEvents());
        Assert.True(Store.Contains(new TrialEventKey("a", 1, 1)));
        Assert.False(Store.Contains(new TrialEventKey("a", 1, 2)));
    }

    [Fact]
    public void Record_SameKeyTwice_SecondIsDuplicateAndChangesNothing()
    {
        Assert.True(Store.Record(new TrialEpochCompleted("a", 1, 2, Time, 1, 2, 0.5, 0.25, 10, 100)));
        Assert.False(Store.Record(new TrialEpochCompleted("a", 1, 2, Time, 1, 2, 0.5, 0.25, 10, 100)));
        Assert.False(Store.Record(new TrialFailed("a", 1, 2, Time.AddHours(1), "another event with the same key")));
        var only = Assert.Single(Store.LoadEvents());
        Assert.IsType<TrialEpochCompleted>(only);
    }

    [Fact]
    public void Record_SameSequenceOtherAttemptOrTrial_BothRecorded()
    {
        Assert.True(Store.Record(new TrialStarted("a", 1, 1, Time, "n", "cpu")));
        Assert.True(Store.Record(new TrialStarted("a", 2, 1, Time, "n", "cpu")));
        Assert.True(Store.Record(new TrialStarted("b", 1, 1, Time, "n", "cpu")));
        Assert.Equal(3, Store.LoadEvents().Count);
    }

    [Fact]
    public void LoadEvents_EveryKind_RoundTripsInRecordingOrder()
    {
        TrialEvent[] events =
        [
            new TrialStarted("b", 1, 1, Time, "node", "cpu"),
            new TrialEpochCompleted("b", 1, 2, Time, 1, 2, 0.123456789, 0.5, 1.5, 99.5) { Began = Time.AddSeconds(-2.5) },
            new TrialCancelled("b", 1, 3, Time),
            new TrialRequeued("b", 2, 0, Time),
            new TrialStarted("a", 1, 1, Time, "node", "cpu"),
            new TrialFailed("a", 1, 2, Time, "loss is NaN at epoch 1 step 3"),
            new TrialStarted("b", 2, 1, Time, "node", "cpu"),
            new TrialCompleted("b", 2, 2, Time, 0.8, 2, 0.75, 0.7, 1_100_000, "hutchinson", "{\"lr\":0.05}", 1) { Began = Time.AddSeconds(-1) },
        ];
        foreach (var e in events)
        {
            Assert.True(Store.Record(e));
        }

        Assert.Equal(events, Store.LoadEvents());
    }

    [Fact]
    public void AddTrials_KnownIdsIgnored_OrderOfFirstAddition()
    {
        Assert.Equal(2, Store.AddTrials([Teacher, Student]));
        Assert.Equal(0, Store.AddTrials([Student with { Epochs = 99 }, Teacher]));
        Assert.Equal(1, Store.AddTrials([Teacher with { Id = "x" }]));
        Assert.Equal([Teacher, Student, Teacher with { Id = "x" }], Store.LoadTrials());
    }

    [Fact]
    public void SaveSweep_Twice_LoadsTheLast()
    {
        Assert.Null(Store.LoadSweep());
        var info = new SweepInfo
        {
            Name = "quick", File = "sweeps/quick.yaml", Dataset = "fashion-mnist", StartedAt = Time, Status = "running",
            Versions = new Dictionary<string, string> { ["sweeps"] = "0.1.0" }, Devices = ["cpu"], Host = "h",
        };
        Store.SaveSweep(info);
        Store.SaveSweep(info with { Status = "completed", FinishedAt = Time.AddMinutes(8) });
        var loaded = Store.LoadSweep()!;
        Assert.Equal(("completed", Time.AddMinutes(8), "0.1.0", "cpu"), (loaded.Status, loaded.FinishedAt, loaded.Versions["sweeps"], loaded.Devices[0]));
    }

    [Fact]
    public void CancelRequest_SetAndCleared()
    {
        Assert.False(Store.IsCancelRequested());
        Store.RequestCancel();
        Store.RequestCancel();
        Assert.True(Store.IsCancelRequested());
        Store.ClearCancelRequest();
        Assert.False(Store.IsCancelRequested());
    }

    [Fact]
    public void Record_FromManyThreads_EachKeyOnce()
    {
        Parallel.For(0, 400, i => Store.Record(new TrialStarted("t" + (i % 100), 1, 1, Time, "n", "cpu")));
        Assert.Equal(100, Store.LoadEvents().Count);
    }

    [Fact]
    public void AnyCall_AfterDispose_ObjectDisposed()
    {
        Store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Store.LoadEvents());
        Assert.Throws<ObjectDisposedException>(() => Store.Record(new TrialCancelled("a", 1, 2, Time)));
    }

    [Fact]
    public void NullArguments_ArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => Store.Record(null!));
        Assert.Throws<ArgumentNullException>(() => Store.SaveSweep(null!));
        Assert.Throws<ArgumentNullException>(() => Store.AddTrials(null!));
    }
}
