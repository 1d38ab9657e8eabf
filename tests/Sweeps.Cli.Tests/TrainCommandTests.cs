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
        var (code, stdout, stderr) = Invoke("train", "--method", "fp", "--dataset", "synthetic", "--limit", "64", "--test-limit", "48", "--epochs", "1", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("epoch 1/1: train loss", stdout, StringComparison.Ordinal);
        Assert.Contains($"results: {Path.Combine(output, "final.json")}", stdout, StringComparison.Ordinal);
        using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "final.json")));
        Assert.Equal("fp", final.RootElement.GetProperty("method").GetString());
        Assert.Equal((64, 48), (final.RootElement.GetProperty("train_samples").GetInt32(), final.RootElement.GetProperty("test_samples").GetInt32()));
        Assert.Single(File.ReadAllLines(Path.Combine(output, "metrics.jsonl")));
        Assert.True(File.Exists(Path.Combine(output, "model.pt")));
    }

    [Fact]
    public void Train_TorchvisionResNet18AsTeacher_SqakdDistilsFromIt_ImageNetHeadIsRefusedByName()
    {
        // A folder written by the repository's own generator, and torchvision state dicts saved by Python.
        var data = Path.Combine(_dir, "images");
        Python(Path.Combine(RepositoryRoot(), "tools", "make_image_folder.py"), data, "--classes", "3", "--train", "4", "--val", "2", "--size", "32");
        var teacher = Path.Combine(_dir, "resnet18-3.pt");
        var imagenet = Path.Combine(_dir, "resnet18-1000.pt");
        Python("-c", "import sys, torch, torchvision; torch.manual_seed(0); "
            + "torch.save(torchvision.models.resnet18(num_classes=3).state_dict(), sys.argv[1]); "
            + "torch.save(torchvision.models.resnet18().state_dict(), sys.argv[2])", teacher, imagenet);

        var previous = Environment.GetEnvironmentVariable(Sweeps.Training.Data.ImageFolderOptions.CacheDirectoryVariable);
        Environment.SetEnvironmentVariable(Sweeps.Training.Data.ImageFolderOptions.CacheDirectoryVariable, Path.Combine(_dir, "cache"));
        try
        {
            string[] common = ["train", "--method", "sqakd", "--model", "resnet18", "--dataset", "imagefolder", "--data-dir", data, "--image-size", "32",
                "--bits", "W4A4", "--quantizer", "lsq", "--epochs", "1", "--threads", "2"];
            var output = Path.Combine(_dir, "sqakd");
            var (code, stdout, stderr) = Invoke([.. common, "--teacher", teacher, "--out", output]);
            Assert.True(code == 0, stderr + stdout);
            using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "final.json")));
            Assert.Equal("completed", final.RootElement.GetProperty("status").GetString());
            Assert.Equal(12, final.RootElement.GetProperty("train_samples").GetInt32());
            Assert.Equal(3, final.RootElement.GetProperty("normalization").GetProperty("mean").GetArrayLength());
            Assert.Equal(0, final.RootElement.GetProperty("skipped_images").GetProperty("train").GetInt32());

            (code, _, stderr) = Invoke([.. common, "--teacher", imagenet, "--out", Path.Combine(_dir, "imagenet")]);
            Assert.Equal(TrainCommand.Failed, code);
            Assert.Contains(imagenet, stderr, StringComparison.Ordinal);
            Assert.Contains("num_classes=3", stderr, StringComparison.Ordinal);
            Assert.Contains("fc.weight", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Sweeps.Training.Data.ImageFolderOptions.CacheDirectoryVariable, previous);
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Sweeps.sln not found above " + AppContext.BaseDirectory);
    }

    private static void Python(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(180_000), "python did not finish in 180 s");
        Assert.True(process.ExitCode == 0, $"python {string.Join(' ', args)} failed: {stderr.Result}");
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
