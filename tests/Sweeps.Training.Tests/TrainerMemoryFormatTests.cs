using Sweeps.Torch;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>The switch that picks the memory format: the option, the environment variable, the device.</summary>
public sealed class TrainerMemoryFormatTests
{
    [Theory]
    [InlineData(true, "cpu", MemoryFormat.ChannelsLast)]
    [InlineData(false, "cpu", MemoryFormat.Contiguous)]
    [InlineData(true, "cuda:0", MemoryFormat.Contiguous)]
    public void Constructor_ChannelsLastOption_ChannelsLastOnlyOnTheCpu(bool channelsLast, string device, MemoryFormat expected)
    {
        using var dir = new TempDirectory();
        var options = TrainerTestData.Options(dir.Path, "fp", epochs: 1) with { ChannelsLast = channelsLast, Device = Device.Parse(device) };
        Assert.Equal(expected, new Trainer(options).MemoryFormat);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("1", true)]
    [InlineData(" 0 ", false)]
    public void ParseChannelsLast_KnownValues(string? value, bool expected) =>
        Assert.Equal(expected, Trainer.ParseChannelsLast(value));

    [Theory]
    [InlineData("yes")]
    [InlineData("false")]
    public void ParseChannelsLast_OtherValue_ErrorNamesTheVariableAndWhatItExpects(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => Trainer.ParseChannelsLast(value));
        Assert.Contains("SWEEPS_CHANNELS_LAST", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ChannelsLastOff_RecordsContiguousInFinalJson()
    {
        using var dir = new TempDirectory();
        var options = TrainerTestData.Options(dir.Path, "fp", epochs: 1, trainLimit: 16) with { ChannelsLast = false, TestLimit = 16 };

        var result = TrainerTestData.Trainer(options).Run();

        Assert.Equal("contiguous", result.MemoryFormat);
        Assert.Equal("contiguous", TrainerTestData.Final(dir.Path).GetProperty("memory_format").GetString());
    }
}

/// <summary>The environment variable itself, read when the option is null (no other test runs meanwhile: the variable is
/// process-wide).</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class TrainerEnvironmentTests
{
    [Theory]
    [InlineData("0", MemoryFormat.Contiguous)]
    [InlineData("1", MemoryFormat.ChannelsLast)]
    [InlineData(null, MemoryFormat.ChannelsLast)]
    public void Constructor_OptionNull_FollowsSweepsChannelsLast(string? value, MemoryFormat expected)
    {
        using var dir = new TempDirectory();
        var options = TrainerTestData.Options(dir.Path, "fp", epochs: 1) with { ChannelsLast = null };
        var saved = Environment.GetEnvironmentVariable(Trainer.ChannelsLastVariable);
        try
        {
            Environment.SetEnvironmentVariable(Trainer.ChannelsLastVariable, value);
            Assert.Equal(expected, new Trainer(options).MemoryFormat);
            Environment.SetEnvironmentVariable(Trainer.ChannelsLastVariable, "on");
            Assert.Contains("SWEEPS_CHANNELS_LAST", Assert.Throws<ArgumentException>(() => new Trainer(options)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Trainer.ChannelsLastVariable, saved);
        }
    }
}
