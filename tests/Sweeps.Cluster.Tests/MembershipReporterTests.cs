using Akka.Actor;
using Sweeps.Cluster.Configuration;
using Sweeps.Monitoring;
using Sweeps.Monitoring.Tests;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The membership gauges a node feeds from Akka (<c>ClusterNode.ReportMembership</c>): three nodes of a real cluster
/// in this process on 127.0.0.1; a worker joins, one leaves, one stops answering heartbeats (as a frozen or cut-off
/// process: unreachable, then downed by the split brain resolver and removed); the coordinator's gauges, read from
/// a scrape of its /metrics endpoint, follow each step.
/// </summary>
public sealed class MembershipReporterTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    private readonly LocalNodes _nodes = new("sweeps-members-");

    public void Dispose() => _nodes.Dispose();

    [Fact]
    public async Task Gauges_FollowMembersJoiningLeavingAndBecomingUnreachable()
    {
        await using var served = await ServedMetrics.StartAsync();
        var seedPort = LocalNodes.FreePort();
        var coordinator = Start(seedPort, seedPort, ClusterNode.CoordinatorRole);
        ClusterNode.ReportMembership(coordinator, served.Metrics);
        await UntilAsync(served, up: 1, unreachable: 0, "the coordinator alone");

        var leaving = Start(LocalNodes.FreePort(), seedPort, ClusterNode.WorkerRole);
        var dying = Start(LocalNodes.FreePort(), seedPort, ClusterNode.WorkerRole);
        await UntilAsync(served, up: 3, unreachable: 0, "two workers joined");

        await Akka.Cluster.Cluster.Get(leaving).LeaveAsync();
        await UntilAsync(served, up: 2, unreachable: 0, "a worker left");

        // The coordinator's failure detector marks the silent worker unreachable (still a member, up), then the split
        // brain resolver downs it and it is removed. It stops answering heartbeats, as a frozen or cut-off process does (an actor system that terminates tells its
        // peers, which then may remove it without ever seeing it unreachable).
        dying.ActorSelection("/system/cluster/heartbeatReceiver").Tell(PoisonPill.Instance);
        await UntilAsync(served, up: 2, unreachable: 1, "the dead worker unreachable");
        await UntilAsync(served, up: 1, unreachable: 0, "the dead worker downed and removed");
        var samples = await served.ScrapeAsync();
        Assert.All(SweepMetrics.MemberStatuses.Where(s => s != "up"), s => Assert.Equal(0, samples.Value(MetricNames.ClusterMembers, ("status", s))));
    }

    private static async Task UntilAsync(ServedMetrics served, int up, int unreachable, string what)
    {
        var deadline = DateTime.UtcNow + Step;
        var last = string.Empty;
        while (true)
        {
            var samples = await served.ScrapeAsync();
            var members = samples.Find(MetricNames.ClusterMembers).ToList();
            if (members.Count > 0)
            {
                var seen = (Up: samples.Value(MetricNames.ClusterMembers, ("status", "up")), Unreachable: samples.Value(MetricNames.ClusterUnreachableMembers));
                if (seen == (up, unreachable))
                {
                    return;
                }

                last = $"up {seen.Up}, unreachable {seen.Unreachable}";
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what} (up {up}, unreachable {unreachable}); last scrape: {last}");
            await Task.Delay(100);
        }
    }

    private ActorSystem Start(int port, int seedPort, string role)
    {
        // The repository's failure detector pause (6 s: a node starved of CPU on a loaded machine is not taken for dead and
        // downed), and 15 s of stable-after: the dead worker stays unreachable that long before it is downed, long
        // enough for the scrapes to see it on a loaded machine (with 2 s it was removed before one did).
        var config = _nodes.Config(
            port,
            seedPort,
            """
            akka {
              cluster {
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider"
                split-brain-resolver {
                  active-strategy = keep-oldest
                  keep-oldest.role = coordinator
                  stable-after = 15s
                }
                failure-detector {
                  heartbeat-interval = 500ms
                  acceptable-heartbeat-pause = 6s
                }
              }
            }
            """);
        return _nodes.Start(config, role);
    }
}
