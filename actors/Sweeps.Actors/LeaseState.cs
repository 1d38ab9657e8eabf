namespace Sweeps.Actors;

/// <summary>The content of a trial's <c>lease.json</c> (<see cref="TrialLease"/>).</summary>
/// <param name="Holder">The worker process running the attempt, <c>host/pid</c>.</param>
/// <param name="Attempt">The attempt it runs.</param>
/// <param name="Beat">Incremented by the holder every <see cref="LeaseTiming.Beat"/> while it runs.</param>
/// <param name="Done">The attempt's end is recorded by the coordinator.</param>
internal sealed record LeaseState(string Holder, int Attempt, long Beat, bool Done);
