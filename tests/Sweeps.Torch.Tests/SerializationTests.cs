using System.Text.Json;
using Sweeps.Torch.Serialization;

namespace Sweeps.Torch.Tests;

public sealed class SerializationTests : IClassFixture<SerializationReferenceFiles>, IDisposable
{
    private readonly SerializationReferenceFiles _python;
    private readonly DisposeScope _scope = DisposeScope.Enter();
    private readonly string _folder = Directory.CreateTempSubdirectory("sweeps-statedict-").FullName;

    public SerializationTests(SerializationReferenceFiles python) => _python = python;

    public void Dispose()
    {
        _scope.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Entries of every dtype we save, a 0-d tensor, an empty one, a view into a larger
    /// storage and a tensor that requires a gradient.</summary>
    private static List<KeyValuePair<string, Tensor>> SampleEntries()
    {
        var big = Tensor.Arange(0, 24).Reshape(4, 6);
        return
        [
            new("conv.weight", Tensor.From(Enumerable.Range(0, 18).Select(i => (float)Math.Sin((0.37 * i) + 0.1)).ToArray(), 2, 1, 3, 3).WithRequiresGrad()),
            new("bn.running_var", Tensor.From(new double[] { 0.5, 1.25, 1e-300, -3.75 })),
            new("bn.num_batches_tracked", Tensor.Scalar(7, ScalarType.Int64)),
            new("ids", Tensor.From(new long[] { 1L << 40, -5, 0 })),
            new("counts", Tensor.From(new int[] { 3, -2 })),
            new("mask", Tensor.From(new bool[] { true, false, true, true })),
            new("half", Tensor.From(new Half[] { (Half)0.5, (Half)(-2.25) })),
            new("bytes", Tensor.From(new byte[] { 0, 255, 17 })),
            new("empty", Tensor.Zeros([0, 3])),
            new("view.transposed", big.Narrow(1, 2, 3).T),
        ];
    }

    private static string TorchDtype(ScalarType t) => t switch
    {
        ScalarType.Float32 => "torch.float32",
        ScalarType.Float64 => "torch.float64",
        ScalarType.Float16 => "torch.float16",
        ScalarType.Int64 => "torch.int64",
        ScalarType.Int32 => "torch.int32",
        ScalarType.Bool => "torch.bool",
        ScalarType.Byte => "torch.uint8",
        _ => t.ToString(),
    };

    /// <summary>Every value as a double (exact for every dtype used here).</summary>
    private static double[] Values(Tensor t) => t.Dtype switch
    {
        ScalarType.Float32 => t.ToArray<float>().Select(x => (double)x).ToArray(),
        ScalarType.Float64 => t.ToArray<double>(),
        ScalarType.Float16 => t.ToArray<Half>().Select(x => (double)x).ToArray(),
        ScalarType.Int64 => t.ToArray<long>().Select(x => (double)x).ToArray(),
        ScalarType.Int32 => t.ToArray<int>().Select(x => (double)x).ToArray(),
        ScalarType.Bool => t.ToArray<bool>().Select(x => x ? 1.0 : 0.0).ToArray(),
        ScalarType.Byte => t.ToArray<byte>().Select(x => (double)x).ToArray(),
        _ => throw new NotSupportedException(t.Dtype.ToString()),
    };

    /// <summary>Asserts that the loaded dict equals torch.load's description, entry by entry, in order, exactly.</summary>
    private static void AssertSameAsPython(JsonElement expected, OrderedDictionary<string, Tensor> actual)
    {
        var entries = expected.EnumerateArray().ToArray();
        Assert.Equal(entries.Select(e => e.GetProperty("name").GetString()!), actual.Keys);
        foreach (var e in entries)
        {
            var name = e.GetProperty("name").GetString()!;
            var t = actual[name];
            Assert.True(
                e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).SequenceEqual(t.Shape),
                $"{name}: shape [{string.Join(", ", t.Shape)}]");
            Assert.Equal(e.GetProperty("dtype").GetString(), TorchDtype(t.Dtype));
            Assert.Equal(e.GetProperty("values").EnumerateArray().Select(x => x.GetDouble()).ToArray(), Values(t));
            Assert.False(t.RequiresGrad, name);
        }
    }

    [Fact]
    public void Save_ThenPythonTorchLoad_SameNamesShapesDtypesAndValues()
    {
        var entries = SampleEntries();
        var path = Path.Combine(_folder, "sample.pt");
        StateDictFile.Save(entries, path);

        var loaded = PythonReference.Run("serialize_state_dict.py", "read", path);
        var described = loaded.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(entries.Select(e => e.Key), described.Select(d => d.GetProperty("name").GetString()));
        foreach (var (e, d) in entries.Zip(described))
        {
            Assert.True(
                d.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).SequenceEqual(e.Value.Shape),
                $"{e.Key}: python shape {d.GetProperty("shape")}");
            Assert.Equal(TorchDtype(e.Value.Dtype), d.GetProperty("dtype").GetString());
            var values = Values(e.Value);
            Assert.Equal(values, d.GetProperty("values").EnumerateArray().Select(x => x.GetDouble()).ToArray());
            Assert.Equal(values.Sum(), d.GetProperty("sum").GetDouble(), 9);
        }

        Assert.Empty(Directory.GetFiles(_folder, "*.tmp*"));
    }

    [Fact]
    public void Save_ThenLoad_SameEntriesInOrder()
    {
        var entries = SampleEntries();
        var path = Path.Combine(_folder, "roundtrip.pt");
        StateDictFile.Save(entries, path);
        var loaded = StateDictFile.Load(path);
        Assert.Equal(entries.Select(e => e.Key), loaded.Keys);
        foreach (var (key, tensor) in entries)
        {
            Assert.Equal(tensor.Shape, loaded[key].Shape);
            Assert.Equal(tensor.Dtype, loaded[key].Dtype);
            Assert.Equal(Values(tensor), Values(loaded[key]));
            Assert.Equal(Device.Cpu, loaded[key].Device);
        }
    }

    [Fact]
    public void Load_PythonPlainDict_SameEntriesIncludingParameterAndView()
    {
        var loaded = StateDictFile.Load(_python.PathOf("plain.pt"));
        AssertSameAsPython(_python.Expected.GetProperty("plain"), loaded);
        Assert.Equal(new[] { 5f, 8f, 6f, 9f, 7f, 10f }, loaded["view"].Contiguous().ToArray<float>());
    }

    [Fact]
    public void Load_PythonModelStateDict_SameEntriesIncludingNumBatchesTracked()
    {
        var loaded = StateDictFile.Load(_python.PathOf("model.pt"));
        AssertSameAsPython(_python.Expected.GetProperty("model"), loaded);
        Assert.Equal("OrderedDict", _python.Expected.GetProperty("model")[0].GetProperty("type").GetString());
        Assert.Equal(
            ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "fc.weight", "fc.bias"],
            loaded.Keys);
        Assert.Equal(ScalarType.Int64, loaded["bn.num_batches_tracked"].Dtype);
        Assert.Equal(1, loaded["bn.num_batches_tracked"].ToInt64());
    }

    [Fact]
    public void Load_PythonModelStateDict_ResavedFileOpensInPythonUnchanged()
    {
        var loaded = StateDictFile.Load(_python.PathOf("model.pt"));
        var path = Path.Combine(_folder, "resaved.pt");
        StateDictFile.Save(loaded, path);
        var again = PythonReference.Run("serialize_state_dict.py", "read", path);
        var expected = _python.Expected.GetProperty("model").EnumerateArray().ToArray();
        var actual = again.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.GetProperty("name").GetString(), a.GetProperty("name").GetString());
            Assert.Equal(e.GetProperty("dtype").GetString(), a.GetProperty("dtype").GetString());
            Assert.Equal(e.GetProperty("shape").ToString(), a.GetProperty("shape").ToString());
            Assert.Equal(e.GetProperty("values").ToString(), a.GetProperty("values").ToString());
        }
    }

    [Fact]
    public void Load_Tensors_BelongToTheCurrentScope()
    {
        var path = Path.Combine(_folder, "scoped.pt");
        StateDictFile.Save([new("w", Tensor.Ones([2]))], path);
        OrderedDictionary<string, Tensor> loaded;
        using (DisposeScope.Enter())
        {
            loaded = StateDictFile.Load(path);
            Assert.False(loaded["w"].IsDisposed);
        }

        Assert.True(loaded["w"].IsDisposed);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        var path = Path.Combine(_folder, "missing.pt");
        var ex = Assert.Throws<FileNotFoundException>(() => StateDictFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotATorchFile_ThrowsTorchExceptionNamingIt()
    {
        var path = Path.Combine(_folder, "text.pt");
        File.WriteAllText(path, "hello, not a zip archive");
        var ex = Assert.Throws<TorchException>(() => StateDictFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a torch.save zip archive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedArchive_ThrowsTorchExceptionNamingIt()
    {
        var good = Path.Combine(_folder, "good.pt");
        StateDictFile.Save(SampleEntries(), good);
        var bytes = File.ReadAllBytes(good);
        var path = Path.Combine(_folder, "truncated.pt");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<TorchException>(() => StateDictFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DictWithNonTensorValue_ThrowsNamingFileAndEntry()
    {
        var path = _python.PathOf("not_tensor.pt");
        var ex = Assert.Throws<TorchException>(() => StateDictFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("entry 'epoch' is a int, not a tensor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ListInsteadOfDict_ThrowsNamingFile()
    {
        var path = _python.PathOf("list.pt");
        var ex = Assert.Throws<TorchException>(() => StateDictFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a dict of tensors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LegacyNonZipFormat_ThrowsExplainingTheFormat()
    {
        var path = _python.PathOf("legacy.pt");
        var ex = Assert.Throws<TorchException>(() => StateDictFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("_use_new_zipfile_serialization", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_InvalidArguments_ThrowBeforeWriting()
    {
        var path = Path.Combine(_folder, "bad.pt");
        var ones = Tensor.Ones([1]);
        var ex = Assert.Throws<ArgumentException>(() => StateDictFile.Save([new("a", ones), new("a", ones)], path));
        Assert.Contains("duplicate state-dict key 'a'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => StateDictFile.Save([new("a", null!)], path));
        Assert.Throws<DirectoryNotFoundException>(() => StateDictFile.Save([new("a", ones)], Path.Combine(_folder, "no", "x.pt")));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Save_OverExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_folder, "replace.pt");
        StateDictFile.Save([new("old", Tensor.Ones([3]))], path);
        StateDictFile.Save([new("new", Tensor.Full([2], 4))], path);
        var loaded = StateDictFile.Load(path);
        Assert.Equal(["new"], loaded.Keys);
        Assert.Equal(new[] { 4f, 4f }, loaded["new"].ToArray<float>());
        Assert.Equal([path], Directory.GetFiles(_folder));
    }
}
