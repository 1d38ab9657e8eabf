using Sweeps.Training.Data;
using static Sweeps.Training.Tests.DataFileWriter;

namespace Sweeps.Training.Tests;

/// <summary>The CIFAR-10 and CIFAR-100 binary readers on small files written by the test.</summary>
public sealed class CifarReaderTests
{
    [Fact]
    public void Cifar10_TrainBatches_AreReadInOrderWithLabelsAndPlanes()
    {
        using var dir = new TempDirectory();
        for (var f = 1; f <= 5; f++)
        {
            // File f holds f records with labels (f + r) mod 10.
            var labels = Enumerable.Range(0, f).Select(r => new[] { (byte)((f + r) % 10) }).ToList();
            File.WriteAllBytes(dir.File($"data_batch_{f}.bin"), CifarRecords(f, labels));
        }

        File.WriteAllBytes(dir.File("test_batch.bin"), CifarRecords(0, [[7], [3]]));

        var train = CifarReader.Cifar10(dir.Path, DatasetSplit.Train);
        var test = CifarReader.Cifar10(dir.Path, DatasetSplit.Test);

        Assert.Equal(("cifar10", 15, 3, 32, 32, 10), (train.Name, train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal([1L, 2, 3, 3, 4, 5, 4, 5, 6, 7, 5, 6, 7, 8, 9], train.Labels.ToArray());
        // Sample 4 is file 3's record 1; byte 1024 + 33 is green plane, row 1, column 1.
        Assert.Equal(CifarPixel(3, 1, 1024 + 33), train.GetImage(4)[1024 + 33]);
        Assert.Equal(CifarPixel(5, 4, 3071), train.GetImage(14)[3071]);
        Assert.Equal([7L, 3], test.Labels.ToArray());
        Assert.Equal(CifarPixel(0, 1, 0), test.GetImage(1)[0]);
        Assert.Same(ChannelNormalization.Cifar10, train.Normalization);
    }

    [Fact]
    public void Cifar10_ArchiveFolderAndLimit_ReadsOnlyTheFirstSamples()
    {
        using var dir = new TempDirectory();
        var nested = Directory.CreateDirectory(Path.Combine(dir.Path, "cifar-10-batches-bin")).FullName;
        File.WriteAllBytes(Path.Combine(nested, "data_batch_1.bin"), CifarRecords(1, [[1], [2], [3]]));
        File.WriteAllBytes(Path.Combine(nested, "data_batch_2.bin"), CifarRecords(2, [[4], [5]]));

        // Files 3..5 are missing, but the limit is reached before they are needed.
        var data = CifarReader.Cifar10(dir.Path, DatasetSplit.Train, limit: 4);

        Assert.Equal([1L, 2, 3, 4], data.Labels.ToArray());
        Assert.Equal(CifarPixel(2, 0, 100), data.GetImage(3)[100]);
    }

    [Fact]
    public void Cifar100_UsesFineLabels()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("train.bin"), CifarRecords(1, [[19, 99], [0, 42], [7, 0]]));
        File.WriteAllBytes(dir.File("test.bin"), CifarRecords(2, [[3, 57]]));

        var train = CifarReader.Cifar100(dir.Path, DatasetSplit.Train);
        var test = CifarReader.Cifar100(dir.Path, DatasetSplit.Test);

        Assert.Equal(("cifar100", 3, 100), (train.Name, train.Count, train.ClassCount));
        Assert.Equal([99L, 42, 0], train.Labels.ToArray());
        Assert.Equal(CifarPixel(1, 2, 2048), train.GetImage(2)[2048]);
        Assert.Equal([57L], test.Labels.ToArray());
        Assert.Same(ChannelNormalization.Cifar100, test.Normalization);
    }
}
