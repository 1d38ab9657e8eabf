using System.CommandLine;

namespace Sweeps.Cli;

/// <summary>The root command: parses the arguments and runs one subcommand.</summary>
internal static class SweepsCommand
{
    /// <summary>Exit code for a usage error (unknown command, bad or missing argument).</summary>
    internal const int UsageError = 2;

    /// <summary>Builds the root command with every subcommand.</summary>
    internal static RootCommand Create()
    {
        var root = new RootCommand("Sweeps: hyperparameter-free comparison sweeps of quantization-aware training.");
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(CoordinatorCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(Slurm.SlurmCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(TeachersCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs. Parse errors (an unknown command, a missing argument) print the errors and the
    /// usage to stderr and return <see cref="UsageError"/>; no arguments at all prints the usage.
    /// </summary>
    internal static int Invoke(string[] args)
    {
        var root = Create();
        var result = root.Parse(args);
        if (args.Length == 0)
        {
            root.Parse(["--help"]).Invoke();
            return UsageError;
        }

        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine();
            var help = result.CommandResult.Command;
            var helpArgs = help == root ? new[] { "--help" } : new[] { help.Name, "--help" };
            var config = new InvocationConfiguration { Output = Console.Error };
            root.Parse(helpArgs).Invoke(config);
            return UsageError;
        }

        // No process-termination timeout: `sweeps run` handles SIGINT/SIGTERM itself (running trials checkpoint and
        // stop at their next step, which may take longer than System.CommandLine's default 2 s before it kills the process).
        return result.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
