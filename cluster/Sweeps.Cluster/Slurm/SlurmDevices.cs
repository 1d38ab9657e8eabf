using System.Globalization;

namespace Sweeps.Cluster.Slurm;

/// <summary>
/// A worker's slots inside a Slurm job step, from what Slurm gave the step: one <c>cuda:N</c> slot per GPU
/// (<c>CUDA_VISIBLE_DEVICES</c>, else <c>SLURM_GPUS_ON_NODE</c>), or, on CPU-only partitions, one <c>cpu</c> slot per
/// CPU (<c>SLURM_CPUS_ON_NODE</c>, else the processor count).
/// </summary>
public static class SlurmDevices
{
    /// <summary>The value of <c>--devices</c> that asks for these slots: <c>sweeps worker --devices slurm</c>.</summary>
    public const string Keyword = "slurm";

    /// <summary>
    /// The slots of this step. CUDA renumbers the GPUs it is allowed to see from 0, so <c>CUDA_VISIBLE_DEVICES=2,3</c>
    /// gives <c>cuda:0, cuda:1</c>; an empty value or <c>NoDevFiles</c> (Slurm's "no GPU") counts as no GPU.
    /// </summary>
    /// <param name="variable">Reads an environment variable (null when unset); <see cref="Environment.GetEnvironmentVariable(string)"/> in a process.</param>
    /// <param name="processorCount">CPUs of the process when Slurm names none (<see cref="Environment.ProcessorCount"/>).</param>
    /// <returns>At least one device.</returns>
    /// <exception cref="FormatException">A variable holds something else than Slurm writes (names the variable and its value).</exception>
    public static IReadOnlyList<string> FromEnvironment(Func<string, string?> variable, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var visible = variable("CUDA_VISIBLE_DEVICES")?.Trim();
        if (!string.IsNullOrEmpty(visible) && visible != "NoDevFiles")
        {
            var gpus = visible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return Cuda(gpus.Length);
        }

        if (Count(variable, "SLURM_GPUS_ON_NODE") is > 0 and var onNode)
        {
            return Cuda(onNode);
        }

        var cpus = Count(variable, "SLURM_CPUS_ON_NODE") is > 0 and var c ? c : Math.Max(1, processorCount);
        return Enumerable.Repeat("cpu", cpus).ToArray();
    }

    private static string[] Cuda(int count) =>
        Enumerable.Range(0, count).Select(i => "cuda:" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static int? Count(Func<string, string?> variable, string name)
    {
        var text = variable(name)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"environment variable {name}='{text}': expected a count of devices (a whole number >= 0)");
    }
}
