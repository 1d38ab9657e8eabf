using System.Text.Json;
using Sweeps.Cli;

namespace Sweeps.Cli.Tests;

/// <summary>`sweeps train` as a user runs it: arguments in, exit code, files and messages out.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Invoke(params string[] args) => ConsoleCapture.Invoke(args);

    [Fact]
    public void Train_FpOnSyntheticSubset_WritesResultsAndPrintsWhereTheyAre()
    {
        var output = Path.Combine(_dir, "fp");
        var (code, stdout, stderr) = Invoke("train", "--method", "fp", "--dataset", "synthetic", "--limit", "64", "--epochs", "1", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("epoch 1/1: train loss", stdout, StringComparison.Ordinal);
        Assert.Contains($"results: {Path.Combine(output, "final.json")}", stdout, StringComparison.Ordinal);
        using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "final.json")));
        Assert.Equal("fp", final.RootElement.GetProperty("method").GetString());
        Assert.Single(File.ReadAllLines(Path.Combine(output, "metrics.jsonl")));
        Assert.True(File.Exists(Path.Combine(output, "model.pt")));
    }

    [Fact]
    public void Train_BadBits_ExitsTwoNamingTheValue()
    {
        var (code, _, stderr) = Invoke("train", "--method", "qat", "--bits", "W9A2", "--epochs", "1", "--out", _dir);
        Assert.Equal(SweepsCommand.UsageError, code);
        Assert.Contains("W9A2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_UnknownMethod_ExitsOneListingTheMethods()
    {
        var (code, _, stderr) = Invoke("train", "--method", "nope", "--dataset", "synthetic", "--epochs", "1", "--out", _dir);
        Assert.Equal(TrainCommand.Failed, code);
        Assert.Contains("nope", stderr, StringComparison.Ordinal);
        Assert.Contains("known methods: fp, qat, sqakd, mec-quant, fpq, cr", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_MissingDataDirectory_ExitsOneNamingTheFolder()
    {
        var missing = Path.Combine(_dir, "no-such-folder");
        var (code, _, stderr) = Invoke("train", "--method", "fp", "--data-dir", missing, "--epochs", "1", "--out", Path.Combine(_dir, "x"));
        Assert.Equal(TrainCommand.Failed, code);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainHelp_ListsEveryRegisteredMethodAndSaysWhichAreReconstructions()
    {
        var (_, stdout, _) = Invoke("train", "--help");
        Assert.Contains("one of: " + string.Join(", ", Sweeps.Training.Methods.MethodRegistry.Names), stdout, StringComparison.Ordinal);
        foreach (var method in Sweeps.Training.Methods.MethodRegistry.Descriptions)
        {
            Assert.Contains($"{method.Name}: {method.Summary}", stdout, StringComparison.Ordinal);
        }

        Assert.Contains("mec-quant, fpq, cr are our reconstructions from the papers' abstracts", stdout, StringComparison.Ordinal);
        Assert.Contains("sqakd: label-free", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingSweepFile_ExitsOneNamingTheFile()
    {
        var (code, _, stderr) = Invoke("run", Path.Combine(_dir, "none.yaml"));
        Assert.Equal(RunCommand.BadInput, code);
        Assert.Contains("none.yaml", stderr, StringComparison.Ordinal);
    }
}
