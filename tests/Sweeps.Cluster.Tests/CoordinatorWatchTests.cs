using System.Collections.Concurrent;
using Akka.Actor;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// What a worker says about its coordinator (<see cref="CoordinatorWatch"/>), on real nodes in this process on
/// 127.0.0.1: a worker whose seed node is not running says it is not in a cluster yet, every notice; once the
/// coordinator starts there, that it is up (and no more waiting lines); when the coordinator leaves, that it left,
/// then again every notice that there is none. Akka's own singleton-proxy warning, which claimed a 30 s wait at the
/// first second, is off.
/// </summary>
public sealed class CoordinatorWatchTests : IDisposable
{
    private static readonly TimeSpan Notice = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    private readonly LocalNodes _nodes = new("sweeps-watch-");
    private readonly ConcurrentQueue<string> _lines = new();

    public void Dispose() => _nodes.Dispose();

    [Fact]
    public async Task Worker_SaysWhileItHasNoCoordinator_AndWhenOneIsUpOrLeaves()
    {
        var seedPort = LocalNodes.FreePort();
        var worker = Start(LocalNodes.FreePort(), seedPort, ClusterNode.WorkerRole);
        Assert.False(worker.Settings.Config.GetBoolean("akka.cluster.singleton-proxy.log-singleton-identification-failure"));
        worker.ActorOf(CoordinatorWatch.Props(_lines.Enqueue, Notice, $"127.0.0.1:{seedPort}"), "coordinator-watch");

        var waiting = await LineAsync(l => l.StartsWith("not in a cluster yet after ", StringComparison.Ordinal), "the wait before joining");
        Assert.Contains($"trying the seed nodes 127.0.0.1:{seedPort}", waiting, StringComparison.Ordinal);

        var coordinator = Start(seedPort, seedPort, ClusterNode.CoordinatorRole);
        await LineAsync(l => l == $"the coordinator is up at akka.tcp://{ClusterConfig.SystemName}@127.0.0.1:{seedPort}", "the coordinator up");

        // With a coordinator up, no waiting line comes (three notices long).
        _lines.Clear();
        await Task.Delay(3 * Notice + TimeSpan.FromMilliseconds(500));
        Assert.Empty(_lines);

        await Akka.Cluster.Cluster.Get(coordinator).LeaveAsync();
        await LineAsync(l => l == $"the coordinator at akka.tcp://{ClusterConfig.SystemName}@127.0.0.1:{seedPort} is leaving the cluster; the slots wait for a coordinator", "the coordinator leaving");
        await LineAsync(l => l.StartsWith("no coordinator in the cluster for ", StringComparison.Ordinal), "the wait after it left");
        Assert.DoesNotContain(_lines, l => l.StartsWith("not in a cluster yet", StringComparison.Ordinal));
    }

    // Waits for a line that satisfies the predicate (taking the lines before it off the queue) and returns it.
    private async Task<string> LineAsync(Func<string, bool> wanted, string what)
    {
        var deadline = DateTime.UtcNow + Step;
        List<string> seen = [];
        while (true)
        {
            while (_lines.TryDequeue(out var line))
            {
                seen.Add(line);
                if (wanted(line))
                {
                    return line;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; lines: {string.Join(" | ", seen)}");
            await Task.Delay(50);
        }
    }

    private ActorSystem Start(int port, int seedPort, string role)
    {
        var config = _nodes.Config(port, seedPort);
        return _nodes.Start(config, role);
    }
}
