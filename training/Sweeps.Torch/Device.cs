using System.Globalization;

namespace Sweeps.Torch;

/// <summary>A compute device: <c>cpu</c> or <c>cuda:N</c>. Devices are named by strings everywhere.</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The CUDA ordinal; -1 for the CPU.</param>
public readonly record struct Device(DeviceType Type, int Index)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu, -1);

    /// <summary>The CUDA device with the given ordinal.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> (ordinal 0) or <c>cuda:N</c>.</summary>
    /// <exception cref="FormatException">The text names no device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu")
        {
            return Cpu;
        }

        if (t == "cuda")
        {
            return Cuda(0);
        }

        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return Cuda(index);
        }

        throw new FormatException($"'{text}' is not a device: expected 'cpu', 'cuda' or 'cuda:N'");
    }

    /// <summary>The device's name as libtorch and the sweep files write it (<c>cpu</c>, <c>cuda:0</c>).</summary>
    public override string ToString() =>
        Type == DeviceType.Cpu ? "cpu" : string.Create(CultureInfo.InvariantCulture, $"cuda:{Math.Max(Index, 0)}");
}
