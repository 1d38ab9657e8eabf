namespace Sweeps.Training.Data;

/// <summary>
/// Random crop with zero padding followed by an optional horizontal flip (torchvision's
/// <c>RandomCrop(size, padding)</c> then <c>RandomHorizontalFlip()</c>), fused with normalisation.
/// </summary>
internal static class Augmentation
{
    /// <summary>
    /// Writes one transformed, normalised image. With the image zero-padded by <paramref name="padding"/>
    /// pixels on every side, the crop takes the H x W window whose top-left corner is at
    /// (<paramref name="offsetY"/>, <paramref name="offsetX"/>) of the padded image (each in 0..2 padding;
    /// padding, padding is the identity); then the window is mirrored left-right when <paramref name="flip"/>.
    /// Output (c, y, x) = lut[c][src(c, y + offsetY - padding, x' + offsetX - padding)] with
    /// x' = W - 1 - x when flipped, else x; lut[c][0] outside the image.
    /// </summary>
    public static void Write(
        ReadOnlySpan<byte> source, int channels, int height, int width,
        int padding, int offsetY, int offsetX, bool flip, float[][] lut, Span<float> destination)
    {
        var shiftY = offsetY - padding;
        var shiftX = offsetX - padding;
        var plane = height * width;
        for (var c = 0; c < channels; c++)
        {
            var table = lut[c];
            var zero = table[0];
            var src = source.Slice(c * plane, plane);
            var dst = destination.Slice(c * plane, plane);
            for (var y = 0; y < height; y++)
            {
                var row = dst.Slice(y * width, width);
                var sy = y + shiftY;
                if (sy < 0 || sy >= height)
                {
                    row.Fill(zero);
                    continue;
                }

                var srcRow = src.Slice(sy * width, width);
                for (var x = 0; x < width; x++)
                {
                    var sx = (flip ? width - 1 - x : x) + shiftX;
                    row[x] = (uint)sx < (uint)width ? table[srcRow[sx]] : zero;
                }
            }
        }
    }
}
