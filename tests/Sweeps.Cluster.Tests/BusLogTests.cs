using Microsoft.Extensions.Logging;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The messaging library's log in a node's output (<see cref="BusLog"/>) and the retry lines of sends that wait for
/// the broker (<see cref="RabbitMqTransport.LogRetry"/>).
/// </summary>
public sealed class BusLogTests
{
    [Theory]
    [InlineData(null, LogLevel.Warning)]
    [InlineData("", LogLevel.Warning)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData(" Information ", LogLevel.Information)]
    [InlineData("TRACE", LogLevel.Trace)]
    [InlineData("none", LogLevel.None)]
    public void Level_KnownNames_ParsedCaseInsensitively(string? value, LogLevel expected) => Assert.Equal(expected, BusLog.Level(value));

    [Theory]
    [InlineData("loud")]
    [InlineData("3")]
    [InlineData("warn")]
    public void Level_UnknownValue_ErrorNamesVariableAndChoices(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => BusLog.Level(value));
        Assert.Contains("SWEEPS_BUS_LOG", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("warning", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Logger_AtWarning_WritesWarningsWithCategoryAndException_DropsLowerLevels()
    {
        var output = new StringWriter();
        using var factory = new BusLog(output, LogLevel.Warning);
        var logger = factory.CreateLogger("MassTransit.ReceiveTransport");

        logger.LogDebug("declare queue {Name}", "q");
        logger.LogInformation("bus started");
        logger.LogWarning(new InvalidOperationException("broker gone"), "Connection Failed: {Address}", "rabbitmq://h/v");

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("bus: ", line, StringComparison.Ordinal);
        Assert.EndsWith(" Warning MassTransit.ReceiveTransport: Connection Failed: rabbitmq://h/v (InvalidOperationException: broker gone)", line.TrimEnd(), StringComparison.Ordinal);
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Error));
    }

    [Fact]
    public void Logger_None_WritesNothing()
    {
        var output = new StringWriter();
        using var factory = new BusLog(output, LogLevel.None);
        factory.CreateLogger("MassTransit").LogCritical("fatal");
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void LogRetry_FirstTryThenEveryTenth()
    {
        var output = new StringWriter();
        for (var attempt = 1; attempt <= 25; attempt++)
        {
            RabbitMqTransport.LogRetry(output, "worker: an event of t1 is not sent yet", attempt, new TimeoutException("no broker"));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        Assert.Equal(
            [1, 11, 21],
            lines.Select(l => int.Parse(l.Split("(try ")[1].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal("worker: an event of t1 is not sent yet (try 1: TimeoutException: no broker); retrying", lines[0]);
    }
}
