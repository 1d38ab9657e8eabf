using Sweeps.Torch;
using Sweeps.Training.Data;
using static Sweeps.Training.Tests.LoaderTestData;

namespace Sweeps.Training.Tests;

/// <summary>Channels-last batches: the same images, labels and augmentation draws as NCHW batches, in NHWC memory.</summary>
public sealed class ChannelsLastDataTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void Epoch_ChannelsLast_SameValuesAsNchwWithChannelsLastStrides(int channels)
    {
        var data = Textured(40, channels, 8);
        var options = DataLoaderOptions.Training(16, seed: 3, Device.Cpu);
        using var nchw = new DataLoader(data, options);
        using var last = new DataLoader(data, options with { MemoryFormat = MemoryFormat.ChannelsLast });

        var batches = 0;
        foreach (var (a, b) in nchw.Epoch(2).Zip(last.Epoch(2)))
        {
            using (a)
            using (b)
            {
                Assert.Equal(MemoryFormat.Contiguous, a.Images.MemoryFormat);
                Assert.Equal(MemoryFormat.ChannelsLast, b.Images.MemoryFormat);
                Assert.True(b.Images.IsContiguousIn(MemoryFormat.ChannelsLast));
                Assert.Equal(a.Images.Shape, b.Images.Shape);
                Assert.Equal(a.Images.ToArray<float>(), b.Images.ToArray<float>());
                Assert.Equal(a.Labels.ToArray<long>(), b.Labels.ToArray<long>());
                batches++;
            }
        }

        Assert.Equal(3, batches);
    }

    [Fact]
    public void TwoViewEpoch_ChannelsLast_BothViewsAsInNchw()
    {
        var data = Textured(32, 3, 8);
        var options = DataLoaderOptions.Training(16, seed: 5, Device.Cpu);
        using var nchw = new DataLoader(data, options);
        using var last = new DataLoader(data, options with { MemoryFormat = MemoryFormat.ChannelsLast });

        foreach (var (a, b) in nchw.TwoViewEpoch(0).Zip(last.TwoViewEpoch(0)))
        {
            using (a)
            using (b)
            {
                Assert.Equal(MemoryFormat.ChannelsLast, b.View1.MemoryFormat);
                Assert.Equal(MemoryFormat.ChannelsLast, b.View2.MemoryFormat);
                Assert.Equal(a.View1.ToArray<float>(), b.View1.ToArray<float>());
                Assert.Equal(a.View2.ToArray<float>(), b.View2.ToArray<float>());
                Assert.NotEqual(a.View1.ToArray<float>(), a.View2.ToArray<float>());
            }
        }
    }

    [Fact]
    public void AugmentationWrite_ChannelsLast_EveryPixelAtItsNhwcIndex()
    {
        // Two channels of 2 x 3 pixels, values 1..12; identity lookup tables; a shifted crop with a flip.
        const int channels = 2, height = 2, width = 3;
        byte[] source = [.. Enumerable.Range(1, 12).Select(v => (byte)v)];
        var lut = Enumerable.Range(0, channels).Select(_ => Enumerable.Range(0, 256).Select(v => (float)v).ToArray()).ToArray();
        var chw = new float[12];
        var hwc = new float[12];
        Augmentation.Write(source, channels, height, width, padding: 1, offsetY: 0, offsetX: 2, flip: true, lut, chw);
        Augmentation.Write(source, channels, height, width, padding: 1, offsetY: 0, offsetX: 2, flip: true, lut, hwc, channelsLast: true);

        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    Assert.Equal(chw[(((c * height) + y) * width) + x], hwc[(((y * width) + x) * channels) + c]);
                }
            }
        }

        // The window starts one row above the image (a zero row) and is mirrored: row 0 of channel 0 is 0 0 0.
        Assert.Equal([0f, 0f, 0f], chw[..3]);
        Assert.Contains(chw, v => v > 0);
    }
}
