using Sweeps.Training.Data;
using static Sweeps.Training.Tests.DataFileWriter;

namespace Sweeps.Training.Tests;

/// <summary>The IDX reader on small files written by the test, raw and gzipped.</summary>
public sealed class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_SmallFiles_HoldsTheWrittenPixelsAndLabels(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, trainCount: 7, testCount: 3, rows: 5, columns: 4, gzip);

        var train = IdxReader.Read(dir.Path, DatasetSplit.Train, "tiny", 10, ChannelNormalization.FashionMnist);
        var test = IdxReader.Read(dir.Path, DatasetSplit.Test, "tiny", 10, ChannelNormalization.FashionMnist);

        Assert.Equal(("tiny", 7, 1, 5, 4, 10), (train.Name, train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(3, test.Count);
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6], train.Labels.ToArray());
        for (var i = 0; i < 7; i++)
        {
            var image = train.GetImage(i);
            for (var r = 0; r < 5; r++)
            {
                for (var c = 0; c < 4; c++)
                {
                    Assert.Equal(IdxPixel(i, r, c), image[(r * 4) + c]);
                }
            }
        }

        // Image 2, row 3, column 1: (2*31 + 3*7 + 1*3) mod 256 = 86.
        Assert.Equal(86, test.GetImage(2)[(3 * 4) + 1]);
        Assert.Same(ChannelNormalization.FashionMnist, train.Normalization);
    }

    [Fact]
    public void Read_Limit_KeepsTheFirstSamplesInFileOrder()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, trainCount: 30, testCount: 1, rows: 2, columns: 2, gzip: true);

        var data = IdxReader.Read(dir.Path, DatasetSplit.Train, "tiny", 10, ChannelNormalization.Mnist, limit: 12);

        Assert.Equal(12, data.Count);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)(i % 10)), data.Labels.ToArray());
        Assert.Equal(IdxPixel(11, 1, 1), data.GetImage(11)[3]);
        Assert.Equal([2, 2, 1, 1, 1, 1, 1, 1, 1, 1], data.ClassCounts());
    }

    [Fact]
    public void Read_RawFileBesideGzip_PrefersTheRawFile()
    {
        using var dir = new TempDirectory();
        WriteIdxSet(dir.Path, trainCount: 4, testCount: 1, rows: 2, columns: 2, gzip: true);
        Write(dir.File("train-images-idx3-ubyte"), IdxImages(4, 2, 2), gzip: false);

        var data = IdxReader.Read(dir.Path, DatasetSplit.Train, "tiny", 10, ChannelNormalization.Mnist);

        Assert.Equal(4, data.Count);
    }
}
