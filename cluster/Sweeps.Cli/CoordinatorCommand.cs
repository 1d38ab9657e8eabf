using System.CommandLine;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;
using Sweeps.Cluster;

namespace Sweeps.Cli;

/// <summary><c>sweeps coordinator --config cluster.hocon --sweep FILE</c>: the coordinator of a cluster sweep.</summary>
internal static class CoordinatorCommand
{
    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var cluster = new ClusterOptions();
        var sweep = new Option<string>("--sweep") { Description = "The sweep file (YAML).", Required = true };
        var output = new Option<string?>("--out") { Description = "Results and report folder (default: the folder of the configuration's store-path)." };
        var command = new Command("coordinator", "Coordinate a sweep on an Akka cluster (this node has the role coordinator): give its trials to the workers' free slots, record their events, write the results. Started again, it continues.")
        {
            cluster.Config, cluster.Set, sweep, output,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var config = cluster.Load(result, Console.Error);
            return config is null ? RunCommand.BadInput : await RunAsync(config, result.GetValue(sweep)!, result.GetValue(output), Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(Cluster.Configuration.ClusterConfig config, string path, string? outputDirectory, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (await RunCommand.LoadSweepAsync(path, error).ConfigureAwait(false) is not { } definition)
        {
            return RunCommand.BadInput;
        }

        var (metrics, endpoint, badMetrics) = await MetricsHosting.StartAsync(config.MetricsAddress, "metricsAddress", output, error, cancellationToken).ConfigureAwait(false);
        if (badMetrics)
        {
            return RunCommand.BadInput;
        }

        using var metricsOwner = metrics;
        await using var endpointOwner = endpoint;
        using var stop = new InterruptSignals(cancellationToken);
        var options = new SweepRunOptions
        {
            Definition = definition,
            SweepFile = path,
            SweepText = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false),
            OutputDirectory = outputDirectory ?? Path.GetDirectoryName(config.StorePath)!,
            Devices = ["cluster"],
            Versions = new Dictionary<string, string> { ["sweeps"] = VersionCommand.SweepsVersion, ["dotnet"] = Environment.Version.ToString() },
            Metrics = metrics,
        };
        SweepRunResult result;
        try
        {
            result = await ClusterCoordinatorHost.RunAsync(config, options, output, null, stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StoreException or IOException or UnauthorizedAccessException or Cluster.Configuration.ClusterConfigException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return RunCommand.BadInput;
        }

        var counts = result.State.Counts();
        await output.WriteLineAsync(
            $"sweep {definition.Name} {result.Status}: {counts[TrialStatus.Completed]} completed, {counts[TrialStatus.Failed]} failed, "
            + $"{counts[TrialStatus.Cancelled] + counts[TrialStatus.Pending]} not finished; results in {result.OutputDirectory}").ConfigureAwait(false);
        return RunCommand.ExitCode(result.Status);
    }
}
