namespace Sweeps.Actors;

/// <summary>How often a trial's lease is renewed and read, and when a lease that stopped moving is taken over.</summary>
/// <param name="Beat">The holder increments the lease's counter this often.</param>
/// <param name="Poll">A waiting delivery reads the lease this often.</param>
/// <param name="Stale">A counter unchanged this long means its holder is gone (a host that died, a network split).</param>
public sealed record LeaseTiming(TimeSpan Beat, TimeSpan Poll, TimeSpan Stale)
{
    /// <summary>5 s beats, read every 2 s, taken over after 30 s without a beat.</summary>
    public static LeaseTiming Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
}
