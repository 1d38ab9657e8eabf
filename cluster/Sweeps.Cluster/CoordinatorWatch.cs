using Akka.Actor;
using Akka.Cluster;

namespace Sweeps.Cluster;

/// <summary>
/// Tells a worker's user whether its cluster has a coordinator: a line when a coordinator node is up, a line when the
/// last one leaves or is removed, and while there is none, a line every <c>notice</c> (the worker's slots wait for
/// one). It replaces Akka's own singleton-proxy warning, which Akka.Cluster.Tools 1.5.75 prints the moment the proxy
/// starts looking ("failed to find ... after 30 seconds" at its first second), and is switched off in
/// <see cref="ClusterNode.Start"/>.
/// </summary>
/// <remarks>The view is kept from the membership events themselves (as <see cref="MembershipReporter"/> does).</remarks>
internal sealed class CoordinatorWatch : ReceiveActor, IWithTimers
{
    private readonly Action<string> _log;
    private readonly TimeSpan _notice;
    private readonly string _seeds;
    private readonly Dictionary<UniqueAddress, Address> _coordinators = [];
    private DateTime _noneSince = DateTime.UtcNow;
    private bool _joined;

    public CoordinatorWatch(Action<string> log, TimeSpan notice, string seeds)
    {
        _log = log;
        _notice = notice;
        _seeds = seeds;
        Receive<ClusterEvent.MemberUp>(e =>
        {
            if (e.Member.UniqueAddress.Equals(Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress))
            {
                _joined = true;
            }

            if (e.Member.HasRole(ClusterNode.CoordinatorRole) && _coordinators.TryAdd(e.Member.UniqueAddress, e.Member.Address) && _coordinators.Count == 1)
            {
                _log($"the coordinator is up at {e.Member.Address}");
            }
        });
        Receive<ClusterEvent.MemberLeft>(e => Gone(e.Member, "is leaving the cluster"));
        Receive<ClusterEvent.MemberExited>(e => Gone(e.Member, "left the cluster"));
        Receive<ClusterEvent.MemberRemoved>(e => Gone(e.Member, "was removed from the cluster"));
        Receive<Tick>(_ =>
        {
            var waited = DateTime.UtcNow - _noneSince;
            if (_coordinators.Count == 0 && waited >= _notice)
            {
                _log(_joined
                    ? $"no coordinator in the cluster for {waited.TotalSeconds:0} s; the slots wait for one (start `sweeps coordinator` with the same seed nodes)"
                    : $"not in a cluster yet after {waited.TotalSeconds:0} s; trying the seed nodes {_seeds} (is a coordinator running at the first one, and its port open?)");
            }
        });
        ReceiveAny(_ => { });
    }

    /// <summary>Timers of this actor (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The watch of a worker node: lines go to <paramref name="log"/>, the wait is told every
    /// <paramref name="notice"/>, naming <paramref name="seeds"/>.</summary>
    public static Props Props(Action<string> log, TimeSpan notice, string seeds) =>
        Akka.Actor.Props.Create(() => new CoordinatorWatch(log, notice, seeds));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, _notice);
    }

    /// <inheritdoc/>
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Gone(Member member, string what)
    {
        if (_coordinators.Remove(member.UniqueAddress) && _coordinators.Count == 0)
        {
            _noneSince = DateTime.UtcNow;
            _log($"the coordinator at {member.Address} {what}; the slots wait for a coordinator");
        }
    }

    private sealed class Tick
    {
        public static Tick Instance { get; } = new();
    }
}
