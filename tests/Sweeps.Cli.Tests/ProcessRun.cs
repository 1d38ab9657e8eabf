using System.Diagnostics;

namespace Sweeps.Cli.Tests;

/// <summary>Runs a command to its end and collects its output: the tests' one way to call a tool (sbatch, bash,
/// systemd-analyze, the CLI) and look at what it said.</summary>
internal static class ProcessRun
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; returns its exit code, standard output and
    /// standard error. Fails the test when it runs longer than <paramref name="timeout"/> (default 2 minutes; the
    /// process tree is killed).</summary>
    /// <param name="file">The program (a path, or a name looked up on the PATH).</param>
    /// <param name="args">Its arguments, each passed as one word.</param>
    /// <param name="environment">Variables to set (or replace) in its environment.</param>
    /// <param name="workingDirectory">Its working folder; null for the test's.</param>
    /// <param name="during">Runs once the process started (e.g. to signal it); the output is collected meanwhile.</param>
    /// <param name="timeout">How long it may run.</param>
    public static async Task<(int Code, string Output, string Error)> RunAsync(
        string file,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        Func<Process, Task>? during = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (during is not null)
        {
            await during(process);
        }

        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end in {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:F0} s\n{await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
