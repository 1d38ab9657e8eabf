namespace Sweeps.Actors;

/// <summary>A device slot changed: busy (running <paramref name="TrialId"/>) or idle.</summary>
/// <param name="Node">The host.</param>
/// <param name="Device">The device (<c>cpu</c>, <c>cuda:N</c>).</param>
/// <param name="Slot">The slot's index on the node (0-based).</param>
/// <param name="Busy">Whether it now runs a trial.</param>
/// <param name="TrialId">The trial it started or finished.</param>
/// <param name="Timestamp">When, as <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>.</param>
public sealed record SlotReport(string Node, string Device, int Slot, bool Busy, string TrialId, long Timestamp);
