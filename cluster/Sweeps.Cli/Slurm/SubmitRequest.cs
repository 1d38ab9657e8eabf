namespace Sweeps.Cli.Slurm;

/// <summary>The options of <c>sweeps slurm submit</c> as given (paths may be relative to the current folder).</summary>
/// <param name="ConfigFile">--config: the cluster configuration.</param>
/// <param name="SweepFile">--sweep: the sweep file.</param>
/// <param name="Nodes">--nodes.</param>
/// <param name="GpusPerNode">--gpus-per-node (0: CPU-only).</param>
/// <param name="Partition">--partition, or null.</param>
/// <param name="Time">--time, or null.</param>
/// <param name="Account">--account, or null.</param>
/// <param name="OutputDirectory">--output, or null for slurm/ in the store's folder.</param>
/// <param name="DryRun">--dry-run: print the script, submit nothing.</param>
internal sealed record SubmitRequest(
    string ConfigFile,
    string SweepFile,
    int Nodes,
    int GpusPerNode,
    string? Partition,
    string? Time,
    string? Account,
    string? OutputDirectory,
    bool DryRun);
