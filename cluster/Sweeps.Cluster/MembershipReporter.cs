using Akka.Actor;
using Akka.Cluster;
using Sweeps.Monitoring;

namespace Sweeps.Cluster;

/// <summary>Feeds this node's view of the cluster's membership (members by status, unreachable members) to its
/// Prometheus metrics on every membership and reachability event.</summary>
internal sealed class MembershipReporter : ReceiveActor
{
    private readonly SweepMetrics _metrics;

    public MembershipReporter(SweepMetrics metrics)
    {
        _metrics = metrics;
        ReceiveAny(_ => Report());
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(
            Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Report()
    {
        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        _metrics.ClusterMembersReported(state.Members.Select(m => m.Status.ToString()), state.Unreachable.Count);
    }
}
