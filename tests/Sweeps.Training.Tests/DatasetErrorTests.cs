using Sweeps.Training.Data;
using static Sweeps.Training.Tests.DataFileWriter;

namespace Sweeps.Training.Tests;

/// <summary>Every bad input is a <see cref="DatasetException"/> naming the file and what was expected and found.</summary>
public sealed class DatasetErrorTests
{
    [Fact]
    public void Read_MissingDirectory_NamesTheDirectory()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("nowhere");

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, missing));

        Assert.Equal(missing, e.Path);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("directory not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingLabelsFile_NamesTheFileAndTheGzipAlternative()
    {
        using var dir = new TempDirectory();
        Write(dir.File("t10k-images-idx3-ubyte.gz"), IdxImages(2, 3, 3), gzip: true);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Test, dir.Path));

        Assert.Equal(dir.File("t10k-labels-idx1-ubyte"), e.Path);
        Assert.Contains("file not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_WrongImagesMagic_SaysExpectedAndFound(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 3, 1, 2, 2, gzip);
        var suffix = gzip ? ".gz" : string.Empty;
        var images = dir.File("train-images-idx3-ubyte" + suffix);
        Write(images, IdxImages(3, 2, 2, magic: 2049), gzip);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        Assert.Equal(images, e.Path);
        Assert.Contains($"{images}: wrong magic number: expected 2051", e.Message, StringComparison.Ordinal);
        Assert.Contains("found 2049", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongLabelsMagic_SaysExpectedAndFound()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 3, 1, 2, 2, gzip: false);
        var labels = dir.File("train-labels-idx1-ubyte");
        Write(labels, IdxLabels([0, 1, 2], magic: 2051), gzip: false);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        Assert.Contains($"{labels}: wrong magic number: expected 2049", e.Message, StringComparison.Ordinal);
        Assert.Contains("found 2051", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TruncatedImages_SaysExpectedAndFoundLength(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 3, 1, 2, 2, gzip);
        var images = dir.File("train-images-idx3-ubyte" + (gzip ? ".gz" : string.Empty));
        Write(images, IdxImages(3, 2, 2)[..^5], gzip);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        // 16 + 3 * 2 * 2 = 28 bytes expected, 23 found.
        Assert.Equal(images, e.Path);
        Assert.Contains("truncated: expected 28 bytes (16-byte header + 3 images of 2x2), found 23", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CutGzipStream_NamesTheFile()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 50, 1, 8, 8, gzip: true);
        var images = dir.File("train-images-idx3-ubyte.gz");
        var zipped = File.ReadAllBytes(images);
        File.WriteAllBytes(images, zipped[..(zipped.Length / 2)]);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        Assert.Equal(images, e.Path);
        Assert.Contains(images, e.Message, StringComparison.Ordinal);
        Assert.True(
            e.Message.Contains("truncated", StringComparison.Ordinal) || e.Message.Contains("cannot be decompressed", StringComparison.Ordinal),
            e.Message);
    }

    [Fact]
    public void Read_TruncatedHeader_SaysExpectedHeaderSize()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 3, 1, 2, 2, gzip: false);
        var labels = dir.File("train-labels-idx1-ubyte");
        File.WriteAllBytes(labels, [0, 0, 8]);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        Assert.Contains($"{labels}: truncated: expected an 8-byte IDX1 header, found 3 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LabelOutOfRange_NamesTheSampleAndTheRange()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 5, 1, 2, 2, gzip: true);
        var labels = dir.File("train-labels-idx1-ubyte.gz");
        Write(labels, IdxLabels([0, 1, 2, 10, 4]), gzip: true);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        Assert.Contains($"{labels}: label 10 of sample 3 is out of range: expected 0..9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CountsDisagree_NamesBothFilesAndCounts()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, 5, 1, 2, 2, gzip: false);
        var labels = dir.File("train-labels-idx1-ubyte");
        Write(labels, IdxLabels([0, 1, 2, 3]), gzip: false);

        var e = Assert.Throws<DatasetException>(() => IdxReader.FashionMnist(DatasetSplit.Train, dir.Path));

        Assert.Contains($"{labels}: holds 4 labels but the images file {dir.File("train-images-idx3-ubyte")} holds 5 images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar10_MissingDirectory_NamesIt()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("cifar");

        var e = Assert.Throws<DatasetException>(() => CifarReader.Cifar10(missing, DatasetSplit.Test));

        Assert.Contains($"{missing}: dataset directory not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("test_batch.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar10_MissingBatch_NamesTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("data_batch_1.bin"), CifarRecords(1, [[1]]));
        File.WriteAllBytes(dir.File("data_batch_2.bin"), CifarRecords(2, [[1]]));

        var e = Assert.Throws<DatasetException>(() => CifarReader.Cifar10(dir.Path, DatasetSplit.Train));

        Assert.Equal(dir.File("data_batch_3.bin"), e.Path);
        Assert.Contains("file not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar10_TruncatedFile_SaysRecordSizeAndLength()
    {
        using var dir = new TempDirectory();
        var path = dir.File("test_batch.bin");
        File.WriteAllBytes(path, CifarRecords(0, [[1], [2]])[..^100]);

        var e = Assert.Throws<DatasetException>(() => CifarReader.Cifar10(dir.Path, DatasetSplit.Test));

        // 2 * 3073 - 100 = 6046 bytes: 1 record and 2973 bytes left over.
        Assert.Contains($"{path}: truncated or malformed: expected a whole number of 3073-byte records", e.Message, StringComparison.Ordinal);
        Assert.Contains("found 6046 bytes (1 records and 2973 bytes left over)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar10_LabelOutOfRange_NamesTheRecord()
    {
        using var dir = new TempDirectory();
        var path = dir.File("test_batch.bin");
        File.WriteAllBytes(path, CifarRecords(0, [[1], [10]]));

        var e = Assert.Throws<DatasetException>(() => CifarReader.Cifar10(dir.Path, DatasetSplit.Test));

        Assert.Contains($"{path}: label 10 of record 1 is out of range: expected 0..9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar100_FineLabelOutOfRange_NamesTheRecord()
    {
        using var dir = new TempDirectory();
        var path = dir.File("train.bin");
        File.WriteAllBytes(path, CifarRecords(0, [[1, 99], [2, 100]]));

        var e = Assert.Throws<DatasetException>(() => CifarReader.Cifar100(dir.Path, DatasetSplit.Train));

        Assert.Contains($"{path}: fine label 100 of record 1 is out of range: expected 0..99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar100_CoarseLabelOutOfRange_NamesTheRecord()
    {
        using var dir = new TempDirectory();
        var path = dir.File("test.bin");
        File.WriteAllBytes(path, CifarRecords(0, [[20, 5]]));

        var e = Assert.Throws<DatasetException>(() => CifarReader.Cifar100(dir.Path, DatasetSplit.Test));

        Assert.Contains($"{path}: coarse label 20 of record 0 is out of range: expected 0..19", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownName_ListsTheKnownNames()
    {
        var e = Assert.Throws<DatasetException>(() => Datasets.Load("imagenet", DatasetSplit.Train));

        Assert.Contains("unknown dataset 'imagenet': expected one of fashion-mnist, mnist, cifar10, cifar100, synthetic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CifarWithoutDirectory_SaysADirectoryIsNeeded()
    {
        var e = Assert.Throws<DatasetException>(() => Datasets.Load("cifar10", DatasetSplit.Train));

        Assert.Contains("no default directory", e.Message, StringComparison.Ordinal);
    }
}
