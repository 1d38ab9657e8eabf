namespace Sweeps.Actors;

/// <summary>One place a trial runs: a device and the libtorch threads a training trial there uses.</summary>
/// <param name="Index">The slot's index on its node (0-based).</param>
/// <param name="Device">The device (<c>cpu</c>, <c>cuda:N</c>).</param>
/// <param name="Threads">libtorch intra-op threads of a trial on this slot.</param>
public sealed record DeviceSlot(int Index, string Device, int Threads)
{
    /// <summary>
    /// Slots for <paramref name="devices"/> x <paramref name="trialsPerDevice"/>. CPU slots share the cores:
    /// each gets <c>max(1, cores / cpu slots)</c> threads; a CUDA slot gets <c>max(1, cores / slots)</c>.
    /// </summary>
    public static IReadOnlyList<DeviceSlot> For(IReadOnlyList<string> devices, int trialsPerDevice, int cores)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentOutOfRangeException.ThrowIfLessThan(trialsPerDevice, 1);
        var all = devices.SelectMany(d => Enumerable.Repeat(d, trialsPerDevice)).ToList();
        var cpu = all.Count(d => d == "cpu");
        return all.Select((d, i) => new DeviceSlot(i, d, Math.Max(1, cores / (d == "cpu" ? cpu : all.Count)))).ToList();
    }
}
