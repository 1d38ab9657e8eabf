namespace Sweeps.Cli.Tests;

/// <summary>Runs the CLI in this process with <see cref="Console.Out"/> and <see cref="Console.Error"/> captured (tests
/// that use it belong to <see cref="ConsoleCollection"/>).</summary>
internal static class ConsoleCapture
{
    /// <summary>Invokes <c>sweeps</c> with <paramref name="args"/>; returns the exit code and what it printed.</summary>
    public static (int Code, string Out, string Err) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            return (SweepsCommand.Invoke(args), stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
