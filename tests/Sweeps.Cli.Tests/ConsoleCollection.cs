namespace Sweeps.Cli.Tests;

/// <summary>Tests that redirect <see cref="Console.Out"/> and <see cref="Console.Error"/> (process-wide) to capture a
/// command's output: they must not run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
