using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Tests;

public sealed class SweepFileTests
{
    private const string Quick = """
        name: quick
        dataset: fashion-mnist
        models: [resnet20]
        methods: [fp, qat]
        bits: [W2A2, W4A4]
        seeds: [0]
        epochs: {teacher: 2, student: 3}
        limit: 12000
        test_limit: 2000
        quantizer: lsq
        devices: [cpu]
        trials_per_device: 2
        """;

    private static SweepFileException Fails(string text) => Assert.Throws<SweepFileException>(() => SweepFile.Parse(text, "s.yaml"));

    [Fact]
    public void Parse_IssueShape_ReadsEveryKey()
    {
        var d = SweepFile.Parse(Quick, "s.yaml");
        Assert.Equal("quick", d.Name);
        Assert.Equal("fashion-mnist", d.Dataset);
        Assert.Equal(["resnet20"], d.Models);
        Assert.Equal(["fp", "qat"], d.Methods);
        Assert.Equal(["W2A2", "W4A4"], d.Bits);
        Assert.Equal([0L], d.Seeds);
        Assert.Equal((2, 3), (d.TeacherEpochs, d.StudentEpochs));
        Assert.Equal(12000, d.Limit);
        Assert.Equal(2000, d.TestLimit);
        Assert.Equal("lsq", d.Quantizer);
        Assert.Equal(["cpu"], d.Devices!);
        Assert.Equal(2, d.TrialsPerDevice);
    }

    [Fact]
    public void Parse_OptionalKeysAbsent_Defaults()
    {
        var d = SweepFile.Parse("name: a\ndataset: synthetic\nmodels: [resnet20]\nmethods: [qat]\nbits: [w4a4]\nepochs: 2\n", "s.yaml");
        Assert.Equal(["W4A4"], d.Bits);
        Assert.Equal([0L], d.Seeds);
        Assert.Equal((2, 2), (d.TeacherEpochs, d.StudentEpochs));
        Assert.Null(d.Limit);
        Assert.Null(d.TestLimit);
        Assert.Equal("ewgs", d.Quantizer);
        Assert.Null(d.Devices);
        Assert.Equal(1, d.TrialsPerDevice);
    }

    [Fact]
    public void Parse_UnknownMethod_NamesFileLineFieldAndKnownMethods()
    {
        var ex = Fails(Quick.Replace("methods: [fp, qat]", "methods: [fp,\n  nope]", StringComparison.Ordinal));
        Assert.Equal(("s.yaml", 5, 3, "methods"), (ex.File, ex.Line, ex.Column, ex.Field));
        Assert.Contains("unknown method 'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fp, qat", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("s.yaml:5:3: methods: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadBits_NamesTheValue()
    {
        var ex = Fails(Quick.Replace("W4A4", "W9A2", StringComparison.Ordinal));
        Assert.Equal((5, "bits"), (ex.Line, ex.Field));
        Assert.Contains("W9A2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyMethods_SaysTheGridIsEmpty()
    {
        var ex = Fails(Quick.Replace("methods: [fp, qat]", "methods: []", StringComparison.Ordinal));
        Assert.Equal("methods", ex.Field);
        Assert.Contains("grid is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyBitsWithQuantizedMethod_SaysTheGridIsEmpty()
    {
        var ex = Fails(Quick.Replace("bits: [W2A2, W4A4]", "bits: []", StringComparison.Ordinal));
        Assert.Equal("bits", ex.Field);
        Assert.Contains("grid is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownDataset_ListsKnownOnes()
    {
        var ex = Fails(Quick.Replace("fashion-mnist", "imagenet", StringComparison.Ordinal));
        Assert.Equal((2, "dataset"), (ex.Line, ex.Field));
        Assert.Contains("unknown dataset 'imagenet'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cifar10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CifarWithoutDataDir_AsksForIt()
    {
        var ex = Fails(Quick.Replace("fashion-mnist", "cifar10", StringComparison.Ordinal));
        Assert.Equal("data_dir", ex.Field);
        Assert.Contains("cifar10 needs data_dir", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ImageFolder_ReadsDataDirImageSizeAndSkipBadImages()
    {
        var dir = Directory.CreateTempSubdirectory("sweeps-imagefolder-").FullName;
        try
        {
            var d = SweepFile.Parse(
                Quick.Replace("dataset: fashion-mnist", $"dataset: imagefolder\ndata_dir: {dir}\nimage_size: 64\nskip_bad_images: true", StringComparison.Ordinal)
                    .Replace("[resnet20]", "[resnet18, mobilenetv2]", StringComparison.Ordinal),
                "s.yaml");
            Assert.Equal(("imagefolder", dir, 64, true), (d.Dataset, d.DataDirectory, d.ImageSize, d.SkipBadImages));
            Assert.Equal(["resnet18", "mobilenetv2"], d.Models);
            var tiny = SweepFile.Parse(Quick.Replace("dataset: fashion-mnist", $"dataset: tiny-imagenet\ndata_dir: {dir}", StringComparison.Ordinal), "s.yaml");
            Assert.Equal(("tiny-imagenet", (int?)null, false), (tiny.Dataset, tiny.ImageSize, tiny.SkipBadImages));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Theory]
    [InlineData("dataset: imagefolder", "data_dir", "imagefolder needs data_dir: the folder holding train/ and val/")]
    [InlineData("dataset: imagefolder\ndata_dir: /tmp\nimage_size: 0", "image_size", "'0' is too small: expected a whole number, 1..1024")]
    [InlineData("dataset: imagefolder\ndata_dir: /tmp\nimage_size: 99999", "image_size", "'99999' is too large: at most 1024")]
    [InlineData("dataset: imagefolder\ndata_dir: /tmp\nskip_bad_images: maybe", "skip_bad_images", "'maybe' is not true or false")]
    [InlineData("dataset: fashion-mnist\nimage_size: 64", "image_size", "applies only to image-folder datasets (imagefolder, tiny-imagenet), not to fashion-mnist")]
    public void Parse_ImageFolderBadKeys_NameTheField(string replacement, string field, string message)
    {
        var ex = Fails(Quick.Replace("dataset: fashion-mnist", replacement, StringComparison.Ordinal));
        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingDataDirectory_NamesIt()
    {
        var ex = Fails(Quick.Replace("dataset: fashion-mnist", "dataset: cifar100\ndata_dir: /nonexistent/cifar", StringComparison.Ordinal));
        Assert.Equal((3, "data_dir"), (ex.Line, ex.Field));
        Assert.Contains("'/nonexistent/cifar' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_ListsTheValidKeys()
    {
        var ex = Fails(Quick + "\nlearning_rate: 0.1\n");
        Assert.Equal((13, "learning_rate"), (ex.Line, ex.Field));
        Assert.Contains("unknown key; valid keys: name, dataset, data_dir, image_size, skip_bad_images, models, methods, bits, seeds, epochs, limit, test_limit, quantizer, devices, trials_per_device, teachers, teacher_cache", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit: 12000", "limit: 0", "limit")]
    [InlineData("test_limit: 2000", "test_limit: many", "test_limit")]
    [InlineData("trials_per_device: 2", "trials_per_device: -1", "trials_per_device")]
    [InlineData("quantizer: lsq", "quantizer: dorefa", "quantizer")]
    [InlineData("devices: [cpu]", "devices: [tpu]", "devices")]
    [InlineData("epochs: {teacher: 2, student: 3}", "epochs: {teacher: 2}", "epochs.student")]
    [InlineData("models: [resnet20]", "models: [resnet21]", "models")]
    [InlineData("name: quick", "name: my sweep", "name")]
    [InlineData("seeds: [0]", "seeds: [0, 0]", "seeds")]
    public void Parse_BadValue_NamesTheField(string good, string bad, string field)
    {
        var ex = Fails(Quick.Replace(good, bad, StringComparison.Ordinal));
        Assert.Equal(field, ex.Field);
        Assert.True(ex.Line > 0);
    }

    [Fact]
    public void Parse_MissingRequiredKey_SaysItIsRequired()
    {
        var ex = Fails(Quick.Replace("name: quick\n", string.Empty, StringComparison.Ordinal));
        Assert.Equal("name", ex.Field);
        Assert.Contains("is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnclosedListFollowedByMoreKeys_PointsAtTheBracketAndSaysWhatWasExpected()
    {
        // YamlDotNet's own scanner fails on this one with an InvalidOperationException that has no position.
        var ex = Fails(Quick.Replace("models: [resnet20]", "models: [resnet20", StringComparison.Ordinal));
        Assert.Equal(("s.yaml", 3, 9, null), (ex.File, ex.Line, ex.Column, ex.Field));
        Assert.Equal(
            "s.yaml:3:9: not valid YAML: the list '[' opened at line 3, column 9 is not closed: expected ',' and more items, or ']' to close it",
            ex.Message);
    }

    [Fact]
    public void Parse_UnclosedListAtTheEnd_PointsAtTheBracket()
    {
        var ex = Fails("name: [unclosed\n");
        Assert.Equal(("s.yaml", 1, 7), (ex.File, ex.Line, ex.Column));
        Assert.StartsWith("s.yaml:1:7: not valid YAML: the list '[' opened at line 1, column 7 is not closed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("models: [resnet20}", 3, 18, "not valid YAML: found '}', but the list '[' opened at line 3, column 9 is not closed: expected ',' or ']'")]
    [InlineData("models: {resnet20", 3, 9, "not valid YAML: the mapping '{' opened at line 3, column 9 is not closed: expected ',' and more items, or '}' to close it")]
    [InlineData("models: [resnet20]]", 3, 19, "not valid YAML: found ']' without a matching '['")]
    [InlineData("models:\n  - resnet20\n bits: [W4A4]", 5, 2, "not valid YAML: while parsing a block mapping, did not find expected key")]
    [InlineData("name: again", 13, 1, "not valid YAML: duplicate key name")]
    public void Parse_SyntaxError_FileLineColumnAndWhatWasExpected(string replacement, int line, int column, string problem)
    {
        var text = replacement == "name: again" ? Quick + "\nname: again\n" : Quick.Replace("models: [resnet20]", replacement, StringComparison.Ordinal);
        var ex = Fails(text);
        Assert.Equal($"s.yaml:{line}:{column}: {problem}", ex.Message);
        Assert.Null(ex.Field);
    }

    [Theory]
    [InlineData("limit: 12000", "limit: 99999999999", "limit", 8, 8, "'99999999999' is too large: at most 2147483647")]
    [InlineData("test_limit: 2000", "test_limit: 123456789012345678901234567890", "test_limit", 9, 13, "'123456789012345678901234567890' is too large: at most 2147483647")]
    [InlineData("limit: 12000", "limit: -5", "limit", 8, 8, "'-5' is too small: expected a whole number, at least 1")]
    [InlineData("limit: 12000", "limit: 0", "limit", 8, 8, "'0' is too small: expected a whole number, at least 1")]
    [InlineData("limit: 12000", "limit: 1.5", "limit", 8, 8, "'1.5' is not a whole number (expected a whole number, at least 1)")]
    [InlineData("limit: 12000", "limit: lots", "limit", 8, 8, "'lots' is not a whole number (expected a whole number, at least 1)")]
    [InlineData("test_limit: 2000", "test_limit: [1, 2]", "test_limit", 9, 13, "expected a whole number, found a list")]
    [InlineData("test_limit: 2000", "test_limit: {a: 1}", "test_limit", 9, 13, "expected a whole number, found a mapping")]
    [InlineData("limit: 12000", "limit:", "limit", 8, 7, "expected a whole number, found nothing")]
    [InlineData("trials_per_device: 2", "trials_per_device: 0", "trials_per_device", 12, 20, "'0' is too small: expected a whole number, at least 1")]
    [InlineData("trials_per_device: 2", "trials_per_device: 4294967296", "trials_per_device", 12, 20, "'4294967296' is too large: at most 2147483647")]
    [InlineData("epochs: {teacher: 2, student: 3}", "epochs: {teacher: 99999999999, student: 3}", "epochs.teacher", 7, 19, "'99999999999' is too large: at most 2147483647")]
    [InlineData("epochs: {teacher: 2, student: 3}", "epochs: {teacher: 2, student: [3]}", "epochs.student", 7, 31, "expected a whole number, found a list")]
    [InlineData("epochs: {teacher: 2, student: 3}", "epochs: 3000000000", "epochs", 7, 9, "'3000000000' is too large: at most 2147483647")]
    [InlineData("epochs: {teacher: 2, student: 3}", "epochs: -1", "epochs", 7, 9, "'-1' is too small: expected a whole number, at least 1")]
    [InlineData("seeds: [0]", "seeds: [0, 99999999999999999999]", "seeds", 6, 12, "'99999999999999999999' is too large: at most 9223372036854775807")]
    [InlineData("seeds: [0]", "seeds: [-1]", "seeds", 6, 9, "'-1' is too small: expected a whole number, at least 0")]
    [InlineData("seeds: [0]", "seeds: [0.5]", "seeds", 6, 9, "'0.5' is not a whole number (expected a whole number, at least 0)")]
    public void Parse_BadNumber_SaysWhichBoundOrType(string good, string bad, string field, int line, int column, string problem)
    {
        var ex = Fails(Quick.Replace(good, bad, StringComparison.Ordinal));
        Assert.Equal($"s.yaml:{line}:{column}: {field}: {problem}", ex.Message);
        Assert.Equal((field, line, column), (ex.Field!, ex.Line, ex.Column));
    }

    [Fact]
    public void Parse_LargestValues_AreAccepted()
    {
        var d = SweepFile.Parse(Quick.Replace("limit: 12000", "limit: 2147483647", StringComparison.Ordinal)
            .Replace("seeds: [0]", "seeds: [9223372036854775807]", StringComparison.Ordinal), "s.yaml");
        Assert.Equal(int.MaxValue, d.Limit);
        Assert.Equal([long.MaxValue], d.Seeds);
    }

    [Fact]
    public void Parse_Teachers_FullPathByModel()
    {
        using var dir = new TempFolder();
        var checkpoint = dir.File("teacher.pt", "not read when the sweep file is parsed");
        var d = SweepFile.Parse(Quick + $"\nteachers: {{resnet20: {checkpoint}}}\n", "s.yaml");
        Assert.Equal(checkpoint, Assert.Single(d.Teachers, t => t.Key == "resnet20").Value);
        Assert.Empty(SweepFile.Parse(Quick, "s.yaml").Teachers);
    }

    [Fact]
    public void Parse_TeachersRelativePath_ResolvedAgainstTheCurrentDirectory()
    {
        using var dir = new TempFolder();
        dir.File("t.pt", "x");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(dir.Path, "t.pt"));
        var d = SweepFile.Parse(Quick + $"\nteachers:\n  resnet20: {relative}\n", "s.yaml");
        Assert.Equal(Path.Combine(dir.Path, "t.pt"), d.Teachers["resnet20"]);
    }

    [Theory]
    [InlineData("teachers: {vgg8: FILE}", "teachers", 13, 12, "'vgg8' is not a model of this sweep; models: lists resnet20")]
    [InlineData("teachers: {resnet20: MISSING}", "teachers.resnet20", 13, 22, "the checkpoint 'MISSING' does not exist (MISSING)")]
    [InlineData("teachers: {resnet20: DIR}", "teachers.resnet20", 13, 22, "'DIR' is a folder; expected a state-dict file such as model.pt (DIR)")]
    [InlineData("teachers: {resnet20: [FILE]}", "teachers.resnet20", 13, 22, "expected the path of a state-dict file (torch.save of model.state_dict()), found a list")]
    [InlineData("teachers: FILE", "teachers", 13, 11, "expected a mapping of model to checkpoint file, e.g. {resnet20: path/to/model.pt}, found 'FILE'")]
    public void Parse_BadTeachers_NamesTheFieldAndWhatWasExpected(string line, string field, int lineNumber, int column, string problem)
    {
        using var dir = new TempFolder();
        var file = dir.File("t.pt", "x");
        var missing = Path.Combine(dir.Path, "missing.pt");
        string Fill(string text) => text.Replace("MISSING", missing, StringComparison.Ordinal).Replace("FILE", file, StringComparison.Ordinal).Replace("DIR", dir.Path, StringComparison.Ordinal);
        var ex = Fails(Quick + "\n" + Fill(line) + "\n");
        Assert.Equal($"s.yaml:{lineNumber}:{column}: {field}: {Fill(problem)}", ex.Message);
    }

    [Fact]
    public void Parse_LimitPerRole_TeacherAndStudentSubsets()
    {
        var d = SweepFile.Parse(Quick.Replace("limit: 12000", "limit: {teacher: 16384, student: 2048}", StringComparison.Ordinal), "s.yaml");
        Assert.Equal((16384, 2048), (d.Limit, d.StudentLimit));
        var same = SweepFile.Parse(Quick.Replace("limit: 12000", "limit: {teacher: 500, student: 500}", StringComparison.Ordinal), "s.yaml");
        Assert.Equal((500, null), (same.Limit, same.StudentLimit));
        var one = SweepFile.Parse(Quick, "s.yaml");
        Assert.Equal((12000, null), (one.Limit, one.StudentLimit));
    }

    [Theory]
    [InlineData("limit: {teacher: 100}", "s.yaml:8:8: limit.student: is required")]
    [InlineData("limit: {teacher: 100, students: 5}", "s.yaml:8:23: limit: unknown key 'students'; valid keys: teacher, student")]
    [InlineData("limit: {teacher: 0, student: 5}", "s.yaml:8:18: limit.teacher: '0' is too small: expected a whole number, at least 1")]
    [InlineData("limit: [1, 2]", "s.yaml:8:8: limit: expected {teacher: N, student: M} or one number")]
    public void Parse_BadLimitPerRole_NamesTheField(string line, string expected)
    {
        var ex = Fails(Quick.Replace("limit: 12000", line, StringComparison.Ordinal));
        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void Parse_TeacherCache_FullPathOffOrAbsent()
    {
        using var dir = new TempFolder();
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(dir.Path, "cache"));
        Assert.Equal(Path.Combine(dir.Path, "cache"), SweepFile.Parse(Quick + $"\nteacher_cache: {relative}\n", "s.yaml").TeacherCache);
        Assert.Equal("off", SweepFile.Parse(Quick + "\nteacher_cache: OFF\n", "s.yaml").TeacherCache);
        Assert.Null(SweepFile.Parse(Quick, "s.yaml").TeacherCache);
        var file = dir.File("f", "x");
        Assert.Equal($"s.yaml:13:16: teacher_cache: '{file}' is a file; expected a folder for the teacher cache, or off ({file})", Fails(Quick + $"\nteacher_cache: {file}\n").Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var ex = Assert.Throws<SweepFileException>(() => SweepFile.Load("/nonexistent/quick.yaml"));
        Assert.Contains("/nonexistent/quick.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RepositoryQuickSweep_IsValid()
    {
        // Every key of the file is checked; methods that are not registered yet (the four compared methods land in
        // their own issues) are left out of the methods line, every other value must be valid as it is.
        var path = Path.Combine(RepoRoot(), "sweeps", "quick.yaml");
        var lines = File.ReadAllLines(path);
        var methodsLine = Array.FindIndex(lines, l => l.StartsWith("methods:", StringComparison.Ordinal));
        var listed = lines[methodsLine]["methods:".Length..].Trim().Trim('[', ']').Split(',', StringSplitOptions.TrimEntries);
        Assert.Equal(["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"], listed);
        lines[methodsLine] = "methods: [" + string.Join(", ", listed.Where(Sweeps.Training.Methods.MethodRegistry.Names.Contains)) + "]";
        var d = SweepFile.Parse(string.Join('\n', lines), path);
        Assert.Equal("quick", d.Name);
        Assert.Equal(["W2A2", "W4A4"], d.Bits);
        Assert.NotNull(d.TestLimit);
    }

    [Fact]
    public void Load_RepositoryW2A2SeedsSweep_IsTheIssue17Comparison()
    {
        // Issue 17's setup, key by key: Fashion-MNIST, 20,000 training images, resnet20, fp and the five methods at
        // W2A2, seeds 0, 1 and 2, teacher 5 epochs, students 3; the full test set and the default quantizer.
        var path = Path.Combine(RepoRoot(), "sweeps", "w2a2-seeds.yaml");
        var d = SweepFile.Load(path);

        Assert.Equal("w2a2-seeds", d.Name);
        Assert.Equal("fashion-mnist", d.Dataset);
        Assert.Equal(["resnet20"], d.Models);
        Assert.Equal(["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"], d.Methods);
        Assert.Equal(["W2A2"], d.Bits);
        Assert.Equal([0L, 1L, 2L], d.Seeds);
        Assert.Equal(5, d.TeacherEpochs);
        Assert.Equal(3, d.StudentEpochs);
        Assert.Equal(20000, d.Limit);
        Assert.Null(d.TestLimit);
        Assert.Equal("ewgs", d.Quantizer);
    }

    /// <summary>A temporary folder, deleted on dispose.</summary>
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("sweeps-file-").FullName;

        public string File(string name, string content)
        {
            var path = System.IO.Path.Combine(Path, name);
            System.IO.File.WriteAllText(path, content);
            return path;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
