using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The cluster coordinator's host when the cluster downs its node mid-sweep (as the split brain resolver does to a node
/// that was cut off or stalled): real nodes in this process on 127.0.0.1 - the coordinator's host, a worker's host with
/// two slots, and a third node that downs the coordinator. The host starts its node again, the node joins the worker's
/// cluster, its new coordinator actor continues from the store, and the sweep completes with every trial once. (Before,
/// the host waited forever for the coordinator actor of its terminated node.)
/// </summary>
public sealed class ClusterCoordinatorHostTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private readonly LocalNodes _nodes = new("sweeps-downed-");

    public void Dispose() => _nodes.Dispose();

    [Fact]
    public async Task Downed_StartsItsNodeAgain_AndTheSweepCompletesEveryTrialOnce()
    {
        int coordinatorPort = LocalNodes.FreePort(), workerPort = LocalNodes.FreePort();
        int[] seeds = [coordinatorPort, workerPort];
        var log = new Lines();
        var completed = new CompletedCounter();
        using var stopWorker = new CancellationTokenSource();
        var worker = Task.Run(() => ClusterWorkerHost.RunAsync(_nodes.Config(workerPort, seeds), ["cpu", "cpu"], log, stopWorker.Token));
        var coordinator = Task.Run(() => ClusterCoordinatorHost.RunAsync(_nodes.Config(coordinatorPort, seeds), SleepingSweep.Options("sleepy", Path.Combine(_nodes.Folder, "out"), 12, 1500), log, completed));

        await WaitAsync(() => completed.Count >= 2, "two completed trials", log, coordinator);
        var downer = _nodes.Start(_nodes.Config(LocalNodes.FreePort(), seeds), "test");
        var cluster = Akka.Cluster.Cluster.Get(downer);
        await WaitAsync(() => cluster.State.Members.Any(m => m.Address.Equals(cluster.SelfAddress) && m.Status == Akka.Cluster.MemberStatus.Up), "the third node up", log, coordinator);
        var done = completed.Count;
        cluster.Down(Akka.Actor.Address.Parse($"akka.tcp://{ClusterConfig.SystemName}@127.0.0.1:{coordinatorPort}"));

        await WaitAsync(() => log.Text.Contains("coordinator: removed from the cluster (downed); starting the node again", StringComparison.Ordinal), "the host starting its node again", log, coordinator);
        var result = await coordinator.WaitAsync(Limit);
        await stopWorker.CancelAsync();
        await worker.WaitAsync(Limit);

        Assert.Equal("completed", result.Status);
        Assert.True(done < 12, $"the sweep had ended before the coordinator was downed\n{log.Text}");
        Assert.Equal(2, log.Text.Split('\n').Count(l => l.StartsWith($"coordinator: sweep sleepy, 12 trials, node akka.tcp://{ClusterConfig.SystemName}@127.0.0.1:{coordinatorPort}", StringComparison.Ordinal)));
        Assert.All(result.State.Trials.Values, t => Assert.Equal(TrialStatus.Completed, t.Status));
        using var store = new SqliteSweepStore(Path.Combine(_nodes.Folder, "store.db"));
        var events = store.LoadEvents();
        Assert.Equal(12, events.OfType<TrialCompleted>().Select(e => e.TrialId).Distinct().Count());
        Assert.All(events.OfType<TrialCompleted>().GroupBy(e => e.TrialId), g => Assert.Single(g));
        Assert.Equal(events.Count, events.Select(e => e.Key).Distinct().Count());
    }

    private static async Task WaitAsync(Func<bool> condition, string what, Lines log, Task<SweepRunResult> coordinator)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline && !coordinator.IsCompleted, $"waiting for {what}: {(coordinator.IsCompleted ? "the coordinator ended" : "timed out")}\n{log.Text}");
            await Task.Delay(50);
        }
    }

    // The hosts' progress lines, from any thread.
    private sealed class Lines : StringWriter
    {
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }

    private sealed class CompletedCounter : ISweepObserver
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to)
        {
            if (to == TrialStatus.Completed)
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
