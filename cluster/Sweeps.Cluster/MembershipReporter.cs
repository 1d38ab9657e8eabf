using Akka.Actor;
using Akka.Cluster;
using Sweeps.Monitoring;

namespace Sweeps.Cluster;

/// <summary>Feeds this node's view of the cluster's membership (members by status, unreachable members) to its
/// Prometheus metrics on every membership and reachability event.</summary>
/// <remarks>The view is kept from the events themselves: <c>Cluster.State</c> is updated by another subscriber and
/// may not have seen an event yet when it reaches this actor (the gauges then lagged one event behind, e.g. a lone
/// coordinator stayed "joining").</remarks>
internal sealed class MembershipReporter : ReceiveActor
{
    private readonly SweepMetrics _metrics;
    private readonly Dictionary<UniqueAddress, MemberStatus> _members = [];
    private readonly HashSet<UniqueAddress> _unreachable = [];

    public MembershipReporter(SweepMetrics metrics)
    {
        _metrics = metrics;
        Receive<ClusterEvent.MemberRemoved>(e =>
        {
            _members.Remove(e.Member.UniqueAddress);
            _unreachable.Remove(e.Member.UniqueAddress);
            Report();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            _members[e.Member.UniqueAddress] = e.Member.Status;
            Report();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.UniqueAddress);
            Report();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            Report();
        });
        ReceiveAny(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(
            Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Report() => _metrics.ClusterMembersReported(_members.Values.Select(s => s.ToString()), _unreachable.Count);
}
