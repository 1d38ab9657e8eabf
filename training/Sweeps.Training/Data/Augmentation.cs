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
    /// x' = W - 1 - x when flipped, else x; lut[c][0] outside the image. The source is C, H, W; the destination is
    /// written C, H, W, or H, W, C when <paramref name="channelsLast"/> (one image of a channels-last batch).
    /// </summary>
    public static void Write(
        ReadOnlySpan<byte> source, int channels, int height, int width,
        int padding, int offsetY, int offsetX, bool flip, float[][] lut, Span<float> destination, bool channelsLast = false)
    {
        var shiftY = offsetY - padding;
        var shiftX = offsetX - padding;
        var plane = height * width;
        // Where output (c, y, x) goes: c * channelStride + y * rowStride + x * pixelStride.
        var channelStride = channelsLast ? 1 : plane;
        var pixelStride = channelsLast ? channels : 1;
        var rowStride = width * pixelStride;
        for (var c = 0; c < channels; c++)
        {
            var table = lut[c];
            var zero = table[0];
            var src = source.Slice(c * plane, plane);
            var dst = destination[(c * channelStride)..];
            for (var y = 0; y < height; y++)
            {
                var row = dst[(y * rowStride)..];
                var sy = y + shiftY;
                var inside = sy >= 0 && sy < height;
                var srcRow = inside ? src.Slice(sy * width, width) : default;
                for (var x = 0; x < width; x++)
                {
                    var sx = (flip ? width - 1 - x : x) + shiftX;
                    row[x * pixelStride] = inside && (uint)sx < (uint)width ? table[srcRow[sx]] : zero;
                }
            }
        }
    }
}
