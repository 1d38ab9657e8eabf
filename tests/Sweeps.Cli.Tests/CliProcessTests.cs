using System.Diagnostics;

namespace Sweeps.Cli.Tests;

/// <summary>The real CLI process and ./sweeps.sh: bad sweep files end with one error line and exit 1; status and cancel
/// answer without building.</summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("models: [resnet20\n", "3:9: not valid YAML: the list '[' opened at line 3, column 9 is not closed: expected ',' and more items, or ']' to close it")]
    [InlineData("models: [resnet20]\nlimit: 99999999999\n", "4:8: limit: '99999999999' is too large: at most 2147483647")]
    public async Task Run_BadSweepFile_OneErrorLineExitOne(string lines, string expected)
    {
        var file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, "name: bad\ndataset: synthetic\n" + lines + "methods: [fp]\nepochs: 1\n");
        var (code, stdout, stderr) = await RunAsync("dotnet", [SweepProcessTests.CliDll(), "run", file]);
        Assert.Equal(1, code);
        Assert.Equal($"error: {file}:{expected}\n", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task SweepsShStatusAndCancel_BuiltCli_AnswerWithoutSetup()
    {
        var (root, sweep) = await FakeCheckoutWithFinishedSweepAsync();

        var status = await RunAsync("bash", [Path.Combine(root, "sweeps.sh"), "status", sweep]);
        Assert.True(status.Code == 0, status.Stderr);
        Assert.Contains("sweep s (synthetic): completed", status.Stdout, StringComparison.Ordinal);
        Assert.Equal("", status.Stderr);
        var cancel = await RunAsync("bash", [Path.Combine(root, "sweeps.sh"), "cancel", sweep]);
        Assert.True(cancel.Code == 0, cancel.Stderr);
        Assert.Contains("is not running", cancel.Stdout, StringComparison.Ordinal);

        // setup() logs every step under .artifacts/logs: none ran.
        Assert.False(Directory.Exists(Path.Combine(root, ".artifacts")));
    }

    [Fact]
    public async Task SweepsShStatus_SourceNewerThanCli_AnswersWithANote()
    {
        var (root, sweep) = await FakeCheckoutWithFinishedSweepAsync();
        var source = Path.Combine(root, "actors", "Sweeps.Actors", "Edited.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        File.WriteAllText(source, "// edited after the build");
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddHours(1));

        var status = await RunAsync("bash", [Path.Combine(root, "sweeps.sh"), "status", sweep]);
        Assert.True(status.Code == 0, status.Stderr);
        Assert.Contains("sweep s (synthetic): completed", status.Stdout, StringComparison.Ordinal);
        Assert.Equal("note: the built CLI is older than actors/Sweeps.Actors/Edited.cs; this answer comes from the built one (./sweeps.sh setup rebuilds)\n", status.Stderr);
        Assert.False(Directory.Exists(Path.Combine(root, ".artifacts")));
    }

    [Fact]
    public async Task SweepsShStatus_NoCliYet_SetsUpFirst()
    {
        // A fresh checkout: no CLI built. The fake checkout has no native sources, so setup stops at the shim's cmake
        // step, which shows that status went to setup rather than to a missing CLI.
        var root = Path.Combine(_dir, "fresh");
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(RepoRoot(), "sweeps.sh"), Path.Combine(root, "sweeps.sh"));
        var status = await RunAsync("bash", [Path.Combine(root, "sweeps.sh"), "status", _dir]);
        Assert.NotEqual(0, status.Code);
        Assert.Contains("setup: cmake configure (native shim) FAILED", status.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A checkout holding only sweeps.sh, the built CLI (linked) and the native library, and a finished sweep.</summary>
    private async Task<(string Root, string Sweep)> FakeCheckoutWithFinishedSweepAsync()
    {
        var root = Path.Combine(_dir, "checkout");
        Directory.CreateDirectory(Path.Combine(root, "cluster", "Sweeps.Cli", "bin", "Release"));
        File.Copy(Path.Combine(RepoRoot(), "sweeps.sh"), Path.Combine(root, "sweeps.sh"));
        Directory.CreateSymbolicLink(Path.Combine(root, "cluster", "Sweeps.Cli", "bin", "Release", "net10.0"), Path.GetDirectoryName(SweepProcessTests.CliDll())!);
        Directory.CreateDirectory(Path.Combine(root, "training", "native", "build"));
        File.CreateSymbolicLink(Path.Combine(root, "training", "native", "build", "libsweeps_native.so"), Path.Combine(RepoRoot(), "training", "native", "build", "libsweeps_native.so"));

        var file = Path.Combine(_dir, "s.yaml");
        File.WriteAllText(file, "name: s\ndataset: synthetic\nmethods: []\ndevices: [cpu]\n_sleep_trials: {count: 2, ms: 10}\n");
        var sweep = Path.Combine(_dir, "out");
        Assert.Equal(0, await RunCommand.RunAsync(file, sweep, new StringWriter(), new StringWriter()));
        return (root, sweep);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_GCgen0size"] = "0x400000";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
