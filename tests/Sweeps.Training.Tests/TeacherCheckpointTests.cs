using Sweeps.Torch.Tests;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>A teacher checkpoint that does not fit the model (real torch.save files written by PyTorch): the error
/// names the file and summarises the keys and shapes instead of listing every key.</summary>
public sealed class TeacherCheckpointTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, string[]> _keys;

    public TeacherCheckpointTests()
    {
        var written = PythonReference.Run("foreign_checkpoints.py", _directory.Path);
        _keys = written.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(k => k.GetString()!).ToArray());
    }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("qat")] // the student starts from the teacher (LoadTeacherState)
    [InlineData("sqakd")] // and a frozen FP teacher distils into it (the teacher's strict load fails first)
    public void Run_CheckpointOfAnotherArchitecture_NamesTheFileCountsTheKeysAndListsTheShapes(string method)
    {
        var file = _directory.File("resnet32-rgb-100.pt");
        var ex = Assert.Throws<CheckpointMismatchException>(() => Train(method, file));

        // By hand: ResNet-32 has 5 blocks per stage, ResNet-20 3; the 2 extra blocks of each of the 3 stages hold
        // 12 entries each (conv1.weight, bn1's weight, bias, running_mean, running_var, num_batches_tracked, the same for
        // conv2/bn2): 6 x 12 = 72 unexpected keys. Every ResNet-20 key is in the file (0 missing). The stem conv has 3
        // input channels instead of 1, the classifier 100 classes instead of 10: 3 shape mismatches.
        Assert.Equal(file, ex.File);
        Assert.Empty(ex.Mismatch.MissingKeys);
        Assert.Equal(72, ex.Mismatch.UnexpectedKeys.Count);
        Assert.All(ex.Mismatch.UnexpectedKeys, k => Assert.Matches(@"^layer[123]\.[34]\.", k));
        Assert.Equal(_keys["resnet32-rgb-100.pt"].Where(k => System.Text.RegularExpressions.Regex.IsMatch(k, @"^layer[123]\.[34]\.")), ex.Mismatch.UnexpectedKeys);
        Assert.Equal(
            ["conv1.weight: expected shape [16, 1, 3, 3], got [16, 3, 3, 3]", "fc.weight: expected shape [10, 64], got [100, 64]", "fc.bias: expected shape [10], got [100]"],
            ex.Mismatch.ShapeMismatches.Select(m => m.ToString()));

        var lines = ex.Message.Split('\n');
        Assert.Equal(
            $"checkpoint '{file}' does not fit resnet20 (1 input channel, 10 classes; dataset synthetic): 72 unexpected keys, 3 shape mismatches",
            lines[0]);
        var first5 = string.Join(", ", ex.Mismatch.UnexpectedKeys.Take(5).Select(k => $"\"{k}\""));
        Assert.Equal($"  Unexpected key(s) in state_dict: {first5} and 67 more (72 in all).", lines[1]);
        Assert.Equal("  size mismatch for conv1.weight: expected shape [16, 1, 3, 3], got [16, 3, 3, 3].", lines[2]);
        Assert.Equal("  The classifier (fc.weight) has 100 outputs for 10 classes: the checkpoint must come from a model built for 10 classes (torchvision: num_classes=10) and trained on this data.", lines[5]);
        Assert.Equal(6, lines.Length);
        Assert.DoesNotContain(ex.Mismatch.UnexpectedKeys[5], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CheckpointSavedFromDataParallel_CountsBothSidesAndSaysWhatToSave()
    {
        var file = _directory.File("dataparallel-resnet20.pt");
        var ex = Assert.Throws<CheckpointMismatchException>(() => Train("sqakd", file));

        // The right model under 'module.': every one of ResNet-20's 128 entries is missing (stem 6, 9 blocks x 12,
        // 2 shortcuts x 6, fc 2) and the file's 128 are unexpected.
        Assert.Equal(128, ex.Mismatch.MissingKeys.Count);
        Assert.Equal(_keys["dataparallel-resnet20.pt"], ex.Mismatch.UnexpectedKeys);
        Assert.Equal(ex.Mismatch.MissingKeys.Select(k => "module." + k), ex.Mismatch.UnexpectedKeys);
        Assert.Empty(ex.Mismatch.ShapeMismatches);
        var lines = ex.Message.Split('\n');
        Assert.EndsWith(": 128 missing keys, 128 unexpected keys", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("  Missing key(s) in state_dict: \"conv1.weight\", \"bn1.weight\",", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" and 123 more (128 in all).", lines[1], StringComparison.Ordinal);
        Assert.Contains("save model.module.state_dict() instead", lines[^1], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void Run_MismatchingCheckpoint_KeepsTheFolderAsItWas()
    {
        var output = _directory.File("run");
        Directory.CreateDirectory(output);
        var final = Path.Combine(output, Trainer.FinalFileName);
        File.WriteAllText(final, "{\"status\": \"completed\"}");
        Assert.Throws<CheckpointMismatchException>(() => Train("qat", _directory.File("resnet32-rgb-100.pt"), output));
        Assert.Equal("{\"status\": \"completed\"}", File.ReadAllText(final));
        Assert.Equal([final], Directory.GetFileSystemEntries(output));
    }

    private void Train(string method, string teacher, string? output = null)
    {
        var options = TrainerTestData.Options(output ?? _directory.File("out-" + method), method, epochs: 1) with
        {
            TeacherCheckpoint = teacher,
            Quantizer = Sweeps.Training.Quantization.QuantizerKind.Lsq,
        };
        TrainerTestData.Trainer(options).Run();
    }
}
