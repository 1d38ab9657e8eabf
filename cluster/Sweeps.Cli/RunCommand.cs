using System.CommandLine;

namespace Sweeps.Cli;

/// <summary><c>sweeps run &lt;sweep.yaml&gt;</c>: runs a sweep file (the runner comes in a later issue).</summary>
internal static class RunCommand
{
    /// <summary>Exit code while sweep running is not implemented.</summary>
    internal const int NotImplemented = 2;

    /// <summary>Exit code for a sweep file that does not exist.</summary>
    internal const int FileNotFound = 1;

    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file (YAML), e.g. sweeps/quick.yaml." };
        var command = new Command("run", "Run a sweep file: every trial of its grid, then the report.") { file };
        command.SetAction(result => Run(result.GetValue(file)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Checks the sweep file and runs it; returns the exit code.</summary>
    internal static int Run(string path, TextWriter output, TextWriter error)
    {
        if (!File.Exists(path))
        {
            var full = Path.GetFullPath(path);
            error.WriteLine(Directory.Exists(path)
                ? $"error: sweep file '{path}' is a directory, not a file ({full})"
                : $"error: sweep file '{path}' not found ({full})");
            return FileNotFound;
        }

        output.WriteLine($"sweep file: {Path.GetFullPath(path)}");
        error.WriteLine("error: running sweeps is not implemented yet (the sweep runner comes in a later issue)");
        return NotImplemented;
    }
}
