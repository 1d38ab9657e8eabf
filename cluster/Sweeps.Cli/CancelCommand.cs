using System.CommandLine;
using Sweeps.Actors.Storage;
using Sweeps.Cluster;

namespace Sweeps.Cli;

/// <summary><c>sweeps cancel DIR</c>: asks the process running the sweep in DIR to stop (through its store).</summary>
internal static class CancelCommand
{
    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "The running sweep's output folder (e.g. runs/quick)." };
        var command = new Command("cancel", "Cancel a running sweep: its running trials stop at the next step, keep their checkpoints and are resumed by the next `sweeps run`.") { dir };
        command.SetAction(r => Request(r.GetValue(dir)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Writes the cancel request; returns the exit code.</summary>
    internal static int Request(string directory, TextWriter output, TextWriter error)
    {
        var path = Path.Combine(directory, SqliteSweepStore.FileName);
        if (!File.Exists(path))
        {
            error.WriteLine($"error: no sweep in '{directory}': {SqliteSweepStore.FileName} not found");
            return RunCommand.BadInput;
        }

        try
        {
            using var store = new SqliteSweepStore(path);
            var sweep = store.LoadSweep();
            if (sweep?.Status != "running")
            {
                output.WriteLine($"sweep {sweep?.Name} is not running (status {sweep?.Status ?? "unknown"}): nothing to cancel");
                return 0;
            }

            store.RequestCancel();
            output.WriteLine($"cancel requested for sweep {sweep.Name}: running trials stop at their next step and stay resumable; `sweeps run` continues it");
            return 0;
        }
        catch (StoreException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return RunCommand.BadInput;
        }
    }
}
