using Sweeps.Training.Data;

namespace Sweeps.Training.Tests;

/// <summary>Crop with zero padding and horizontal flip on a hand-made image (identity lookup table: output = byte).</summary>
public sealed class AugmentationTests
{
    // One channel, 3 rows x 4 columns:
    //  1  2  3  4
    //  5  6  7  8
    //  9 10 11 12
    private static readonly byte[] Image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    [Fact]
    public void Write_CenteredCrop_IsTheIdentity() =>
        Assert.Equal(Image.Select(b => (float)b), Apply(padding: 1, offsetY: 1, offsetX: 1, flip: false));

    [Fact]
    public void Write_TopLeftCorner_ShiftsRightAndDownWithZeros() =>
        // Window at (0, 0) of the padded image: a zero row on top, a zero column on the left.
        Assert.Equal(
            [0, 0, 0, 0,
             0, 1, 2, 3,
             0, 5, 6, 7],
            Apply(padding: 1, offsetY: 0, offsetX: 0, flip: false));

    [Fact]
    public void Write_BottomRightCornerPadding2_ShiftsLeftAndUpWithZeros() =>
        // Padding 2, window at (4, 4): source rows 2.., columns 2.. at the top left.
        Assert.Equal(
            [11, 12, 0, 0,
             0, 0, 0, 0,
             0, 0, 0, 0],
            Apply(padding: 2, offsetY: 4, offsetX: 4, flip: false));

    [Fact]
    public void Write_FlipOnly_MirrorsEachRow() =>
        Assert.Equal(
            [4, 3, 2, 1,
             8, 7, 6, 5,
             12, 11, 10, 9],
            Apply(padding: 1, offsetY: 1, offsetX: 1, flip: true));

    [Fact]
    public void Write_CropThenFlip_MirrorsTheCroppedWindow() =>
        // Crop at (1, 2) (one column to the right: 2 3 4 0 ...), then mirror: 0 4 3 2.
        Assert.Equal(
            [0, 4, 3, 2,
             0, 8, 7, 6,
             0, 12, 11, 10],
            Apply(padding: 1, offsetY: 1, offsetX: 2, flip: true));

    [Fact]
    public void Write_ZeroPixel_UsesTheNormalisedZeroOfEachChannel()
    {
        var lut = new[] { Enumerable.Repeat(-1f, 256).ToArray(), Enumerable.Repeat(-2f, 256).ToArray() };
        lut[0][9] = 9;
        lut[1][9] = 19;
        var source = new byte[] { 9, 9, 9, 9 }; // 2 channels of 1 x 2
        var output = new float[4];

        Augmentation.Write(source, 2, 1, 2, padding: 1, offsetY: 1, offsetX: 0, flip: false, lut, output);

        Assert.Equal([-1f, 9, -2, 19], output);
    }

    private static float[] Apply(int padding, int offsetY, int offsetX, bool flip)
    {
        var identity = new[] { Enumerable.Range(0, 256).Select(v => (float)v).ToArray() };
        var output = new float[12];
        Augmentation.Write(Image, 1, 3, 4, padding, offsetY, offsetX, flip, identity, output);
        return output;
    }
}
