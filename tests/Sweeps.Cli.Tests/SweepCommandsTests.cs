namespace Sweeps.Cli.Tests;

/// <summary>`sweeps run/status/cancel` in-process: bad input and the commands on a finished sweep.</summary>
public sealed class SweepCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_InvalidSweepFile_ExitsOneNamingFileLineAndField()
    {
        var file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, "name: bad\ndataset: synthetic\nmodels: [resnet20]\nmethods: [fp, magic]\nepochs: 1\n");
        var error = new StringWriter();
        var code = await RunCommand.RunAsync(file, null, new StringWriter(), error);
        Assert.Equal(RunCommand.BadInput, code);
        Assert.StartsWith($"error: {file}:4:15: methods: unknown method 'magic'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnclosedList_ExitsOneWithFileLineColumnAndWhatWasExpected()
    {
        var file = Path.Combine(_dir, "unclosed.yaml");
        File.WriteAllText(file, "name: bad\ndataset: synthetic\nmodels: [resnet20\nmethods: [fp]\nepochs: 1\n");
        var error = new StringWriter();
        Assert.Equal(RunCommand.BadInput, await RunCommand.RunAsync(file, Path.Combine(_dir, "out"), new StringWriter(), error));
        Assert.Equal(
            $"error: {file}:3:9: not valid YAML: the list '[' opened at line 3, column 9 is not closed: expected ',' and more items, or ']' to close it\n",
            error.ToString().Replace("\r", "", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public async Task Run_LimitTooLarge_SaysTooLarge()
    {
        var file = Path.Combine(_dir, "limit.yaml");
        File.WriteAllText(file, "name: bad\ndataset: synthetic\nmodels: [resnet20]\nmethods: [fp]\nepochs: 1\nlimit: 99999999999\n");
        var error = new StringWriter();
        Assert.Equal(RunCommand.BadInput, await RunCommand.RunAsync(file, null, new StringWriter(), error));
        Assert.StartsWith($"error: {file}:6:8: limit: '99999999999' is too large: at most 2147483647", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DeviceThisMachineLacks_ExitsOneNamingIt()
    {
        var file = Path.Combine(_dir, "gpu.yaml");
        File.WriteAllText(file, "name: gpu\ndataset: synthetic\nmodels: [resnet20]\nmethods: [fp]\nepochs: 1\ndevices: [cuda:7]\n");
        var error = new StringWriter();
        Assert.Equal(RunCommand.BadInput, await RunCommand.RunAsync(file, Path.Combine(_dir, "out"), new StringWriter(), error));
        Assert.Contains($"{file}: devices: 'cuda:7' is not a device of this machine", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public async Task RunStatusCancel_SleepingSweep_RunCompletesStatusListsCancelSaysNotRunning()
    {
        var file = Path.Combine(_dir, "s.yaml");
        File.WriteAllText(file, "name: s\ndataset: synthetic\nmethods: []\ndevices: [cpu]\n_sleep_trials: {count: 3, ms: 10}\n");
        var output = new StringWriter();
        var error = new StringWriter();
        var outDir = Path.Combine(_dir, "out");
        Assert.Equal(0, await RunCommand.RunAsync(file, outDir, output, error));
        Assert.Contains("sweep s completed: 3 completed, 0 failed, 0 not finished (3 started by this run)", output.ToString(), StringComparison.Ordinal);

        var status = new StringWriter();
        Assert.Equal(0, StatusCommand.Print(outDir, status, new StringWriter()));
        Assert.Contains("sweep s (synthetic): completed", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("trials: 3: 3 completed, 0 running", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("sleep-0002", status.ToString(), StringComparison.Ordinal);

        var cancel = new StringWriter();
        Assert.Equal(0, CancelCommand.Request(outDir, cancel, new StringWriter()));
        Assert.Contains("is not running", cancel.ToString(), StringComparison.Ordinal);

        // Running again: nothing left to do, nothing rerun.
        output = new StringWriter();
        Assert.Equal(0, await RunCommand.RunAsync(file, outDir, output, error));
        Assert.Contains("(0 started by this run)", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StatusAndCancel_FolderWithoutSweep_ExitOneSayingSo()
    {
        var error = new StringWriter();
        Assert.Equal(RunCommand.BadInput, StatusCommand.Print(_dir, new StringWriter(), error));
        Assert.Contains("store.db not found", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(RunCommand.BadInput, CancelCommand.Request(_dir, new StringWriter(), error));
    }
}
