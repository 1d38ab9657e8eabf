using System.CommandLine;
using Sweeps.Cluster;
using Sweeps.Cluster.Slurm;

namespace Sweeps.Cli;

/// <summary><c>sweeps worker --config cluster.hocon [--devices cpu,cpu]</c>: a worker of a cluster.</summary>
internal static class WorkerCommand
{
    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var cluster = new ClusterOptions();
        var devices = new Option<string?>("--devices")
        {
            Description = "This worker's devices, one trial slot each (cpu,cpu or cuda:0,cuda:1), or 'slurm': the GPUs Slurm gave this job step (CUDA_VISIBLE_DEVICES, SLURM_GPUS_ON_NODE), else its CPUs (SLURM_CPUS_ON_NODE). Default: the configuration's sweeps.nodes.<host>.devices, else sweeps.devices.",
        };
        var metrics = new Option<string>("--metrics")
        {
            Description = "Where this worker serves Prometheus metrics (its slots): address:port, a port (on 127.0.0.1), or 'off'. "
                + "When the port is taken, a free one is used (the address is printed).",
            DefaultValueFactory = _ => "127.0.0.1:9465",
        };
        var command = new Command("worker", "Run trials of cluster sweeps: join the Akka cluster (role worker); each slot asks the coordinator for a trial when it is free. Ctrl-C or SIGTERM hands the running trials back; they resume on other workers.")
        {
            cluster.Config, cluster.Set, devices, metrics,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var d = result.GetValue(devices);
            var extra = d is null ? null : new Dictionary<string, string> { ["devices"] = d };
            if (d == SlurmDevices.Keyword)
            {
                try
                {
                    extra!["devices"] = string.Join(',', SlurmDevices.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessorCount));
                }
                catch (FormatException ex)
                {
                    await Console.Error.WriteLineAsync($"error: --devices slurm: {ex.Message}").ConfigureAwait(false);
                    return RunCommand.BadInput;
                }
            }

            var config = cluster.Load(result, Console.Error, extra);
            if (config is null)
            {
                return RunCommand.BadInput;
            }

            var (sweepMetrics, endpoint, badMetrics) = await MetricsHosting.StartAsync(result.GetValue(metrics), "--metrics", Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
            if (badMetrics)
            {
                return RunCommand.BadInput;
            }

            using var metricsOwner = sweepMetrics;
            await using var endpointOwner = endpoint;
            using var stop = new InterruptSignals(cancellationToken);
            var slots = extra is null ? config.DevicesOf(Environment.MachineName) : config.Devices;
            try
            {
                await ClusterWorkerHost.RunAsync(config, slots, Console.Out, stop.Token, sweepMetrics).ConfigureAwait(false);
                return 0;
            }
            catch (Cluster.Configuration.ClusterConfigException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return RunCommand.BadInput;
            }
        });
        return command;
    }
}
