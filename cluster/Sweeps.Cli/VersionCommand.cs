using System.CommandLine;
using System.Reflection;
using LibTorch = Sweeps.Torch.Torch;

namespace Sweeps.Cli;

/// <summary><c>sweeps version</c>: the Sweeps and libtorch versions, threads and local devices.</summary>
internal static class VersionCommand
{
    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var command = new Command("version", "Print the Sweeps and libtorch versions, the thread count and the local devices.");
        command.SetAction(_ => Print(Console.Out));
        return command;
    }

    /// <summary>The Sweeps version without the source revision suffix (e.g. "0.1.0").</summary>
    internal static string SweepsVersion
    {
        get
        {
            var informational = typeof(VersionCommand).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? informational : informational[..plus];
        }
    }

    /// <summary>Writes the report; returns the exit code.</summary>
    internal static int Print(TextWriter output)
    {
        output.WriteLine($"sweeps   {SweepsVersion}");
        output.WriteLine($"libtorch {LibTorch.LibTorchVersion}");
        output.WriteLine($"threads  {LibTorch.NumThreads}");
        output.WriteLine($"devices  {string.Join(", ", LibTorch.LocalDevices())}");
        return 0;
    }
}
