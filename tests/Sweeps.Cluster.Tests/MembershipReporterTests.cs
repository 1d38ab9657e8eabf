using Akka.Actor;
using Sweeps.Cluster.Configuration;
using Sweeps.Monitoring;
using Sweeps.Monitoring.Tests;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The membership gauges a node feeds from Akka (<c>ClusterNode.ReportMembership</c>): three nodes of a real cluster
/// in this process on 127.0.0.1; a worker joins, one leaves, one dies without leaving (its actor system stops with
/// no goodbye: unreachable, then downed by the split brain resolver and removed); the coordinator's gauges, read from
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
        var dying = Start(LocalNodes.FreePort(), seedPort, ClusterNode.WorkerRole, abrupt: true);
        await UntilAsync(served, up: 3, unreachable: 0, "two workers joined");

        await Akka.Cluster.Cluster.Get(leaving).LeaveAsync();
        await UntilAsync(served, up: 2, unreachable: 0, "a worker left");

        // Stopped without leaving: the coordinator's failure detector marks it unreachable (still a member, up), then
        // the split brain resolver downs it and it is removed.
        await dying.Terminate();
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

    private ActorSystem Start(int port, int seedPort, string role, bool abrupt = false)
    {
        // A fast failure detector and split brain resolver (the repository's are tuned for loaded machines); an
        // abrupt node's actor system stops without leaving the cluster.
        var config = ClusterConfigFile.Parse(
            $$"""
            sweeps {
              port = {{port}}
              seed-nodes = ["127.0.0.1:{{seedPort}}"]
              checkpoint-dir = ck
              store-path = store.db
            }
            akka {
              loglevel = WARNING
              actor.provider = cluster
              remote.dot-netty.tcp.batching.enabled = false
              cluster {
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider"
                split-brain-resolver {
                  active-strategy = keep-oldest
                  keep-oldest.role = coordinator
                  stable-after = 2s
                }
                failure-detector {
                  heartbeat-interval = 200ms
                  acceptable-heartbeat-pause = 2s
                }
              }
              {{(abrupt ? "coordinated-shutdown.run-by-actor-system-terminate = off" : string.Empty)}}
            }
            """,
            "cluster.hocon",
            _nodes.Folder,
            new Dictionary<string, string>());
        return _nodes.Start(config, role);
    }
}
