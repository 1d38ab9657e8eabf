using Sweeps.Cli;

namespace Sweeps.Cli.Tests;

/// <summary>`sweeps report DIR` as a user runs it: exit codes, files written, messages.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReportCommandTests : IDisposable
{
    private const string Results = """
        {"sweep": {"name": "mini", "status": "completed", "versions": {"sweeps": "0.1.0"}, "devices": ["cpu"]},
         "trials": [
          {"id": "resnet20-fashion-mnist-fp-s0", "method": "fp", "model": "resnet20", "dataset": "fashion-mnist",
           "wbits": 32, "abits": 32, "seed": 0, "status": "completed", "epochs": 2, "epochs_planned": 2,
           "best_top1": 0.9, "best_epoch": 2, "last_top1": 0.9, "mean_last5_top1": 0.85, "duration_s": 10.0, "error": null},
          {"id": "resnet20-fashion-mnist-qat-W4A4-s0", "method": "qat", "model": "resnet20", "dataset": "fashion-mnist",
           "wbits": 4, "abits": 4, "seed": 0, "status": "completed", "epochs": 2, "epochs_planned": 2,
           "best_top1": 0.82, "best_epoch": 1, "last_top1": 0.8, "mean_last5_top1": 0.81, "duration_s": 12.0, "error": null},
          {"id": "resnet20-fashion-mnist-sqakd-W4A4-s0", "method": "sqakd", "model": "resnet20", "dataset": "fashion-mnist",
           "wbits": 4, "abits": 4, "seed": 0, "status": "failed", "epochs": 0, "epochs_planned": 2,
           "best_top1": null, "best_epoch": null, "last_top1": null, "mean_last5_top1": null, "duration_s": 1.0,
           "error": "loss is NaN at epoch 1 step 3"}
         ]}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-report-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Invoke(params string[] args) => ConsoleCapture.Invoke(args);

    [Theory]
    [InlineData(null, "80.00")] // the default: last
    [InlineData("last", "80.00")]
    [InlineData("mean5", "81.00")]
    [InlineData("best", "82.00")]
    public void Report_SweepFolder_WritesTheThreeFilesWithTheChosenAccuracy(string? accuracy, string qatCell)
    {
        File.WriteAllText(Path.Combine(_dir, "results.json"), Results);
        string[] args = accuracy is null ? ["report", _dir] : ["report", _dir, "--accuracy", accuracy];
        var (code, stdout, stderr) = Invoke(args);
        Assert.True(code == 0, stderr);
        Assert.Contains($"report: {Path.Combine(_dir, "report.html")}", stdout, StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains($"| QAT | **{qatCell}** (n=1) |", markdown, StringComparison.Ordinal);
        Assert.Contains("loss is NaN at epoch 1 step 3", markdown, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "report.html")));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(_dir, "results.csv")).Length);
    }

    [Fact]
    public void Report_NoResultsJson_ExitsOneNamingTheFile()
    {
        var (code, _, stderr) = Invoke("report", _dir);
        Assert.Equal(ReportCommand.Failed, code);
        Assert.Contains($"error: {Path.Combine(_dir, "results.json")}: not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_UnknownAccuracy_IsAUsageError()
    {
        File.WriteAllText(Path.Combine(_dir, "results.json"), Results);
        var (code, _, stderr) = Invoke("report", _dir, "--accuracy", "top");
        Assert.Equal(SweepsCommand.UsageError, code);
        Assert.Contains("top", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "report.html")));
    }
}
