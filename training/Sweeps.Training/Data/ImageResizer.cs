namespace Sweeps.Training.Data;

/// <summary>
/// Resizes an 8-bit interleaved image so that its shorter side is a given size and crops the centre square, writing
/// channel planes (C x S x S), as torchvision's <c>Resize(S)</c> then <c>CenterCrop(S)</c> do on a PIL image.
/// </summary>
/// <remarks>
/// No resize routine is served here as a maintained .NET package (StbImageSharp decodes only; StbImageResizeSharp is
/// not available), so this is a small one of our own, written after Pillow's bilinear resampling
/// (<c>Image.resize(..., BILINEAR)</c>, Pillow's <c>Resample.c</c>): a separable triangle filter whose support widens
/// by the downscaling factor (antialiased), the horizontal pass first and rounded to 8 bits, then the vertical pass.
/// Pillow's fixed-point coefficients make rare pixels differ by one level; the tests compare against Pillow.
/// The longer side becomes <c>(int)(S * long / short)</c> and the crop's corner is
/// <c>round((size - S) / 2)</c> with ties to even, as torchvision computes them.
/// </remarks>
internal static class ImageResizer
{
    /// <summary>Writes the resized, centre-cropped image as C planes of S x S bytes into <paramref name="destination"/>.</summary>
    /// <param name="source">Interleaved pixels, <paramref name="height"/> rows of <paramref name="width"/> x C bytes.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">Source height.</param>
    /// <param name="width">Source width.</param>
    /// <param name="size">S.</param>
    /// <param name="destination">C x S x S bytes.</param>
    public static void ResizeCenterCrop(ReadOnlySpan<byte> source, int channels, int height, int width, int size, Span<byte> destination)
    {
        int outHeight, outWidth;
        if (width <= height)
        {
            outWidth = size;
            outHeight = (int)((long)size * height / width);
        }
        else
        {
            outHeight = size;
            outWidth = (int)((long)size * width / height);
        }

        var top = (int)Math.Round((outHeight - size) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((outWidth - size) / 2.0, MidpointRounding.ToEven);
        if (outHeight == height && outWidth == width)
        {
            ToPlanes(source, channels, width, top, left, size, size, destination);
            return;
        }

        // Horizontal pass over every source row, only for the output columns the crop keeps.
        var columns = Coefficients(width, outWidth, left, size);
        var rows = Coefficients(height, outHeight, top, size);
        var horizontal = new byte[height * size * channels];
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * width * channels, width * channels);
            for (var x = 0; x < size; x++)
            {
                var (start, weights) = columns[x];
                for (var c = 0; c < channels; c++)
                {
                    double sum = 0;
                    for (var k = 0; k < weights.Length; k++)
                    {
                        sum += weights[k] * row[((start + k) * channels) + c];
                    }

                    horizontal[(((y * size) + x) * channels) + c] = Clip(sum);
                }
            }
        }

        var plane = size * size;
        for (var y = 0; y < size; y++)
        {
            var (start, weights) = rows[y];
            for (var x = 0; x < size; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    double sum = 0;
                    for (var k = 0; k < weights.Length; k++)
                    {
                        sum += weights[k] * horizontal[((((start + k) * size) + x) * channels) + c];
                    }

                    destination[(c * plane) + (y * size) + x] = Clip(sum);
                }
            }
        }
    }

    /// <summary>Copies the <paramref name="outHeight"/> x <paramref name="outWidth"/> window at (top, left) of an interleaved
    /// image into channel planes.</summary>
    public static void ToPlanes(ReadOnlySpan<byte> source, int channels, int width, int top, int left, int outHeight, int outWidth, Span<byte> destination)
    {
        var plane = outHeight * outWidth;
        for (var y = 0; y < outHeight; y++)
        {
            var row = source.Slice((top + y) * width * channels);
            for (var x = 0; x < outWidth; x++)
            {
                var pixel = row.Slice((left + x) * channels, channels);
                for (var c = 0; c < channels; c++)
                {
                    destination[(c * plane) + (y * outWidth) + x] = pixel[c];
                }
            }
        }
    }

    // Pillow's precompute_coeffs for the bilinear filter, for output positions offset .. offset + count - 1.
    private static (int Start, double[] Weights)[] Coefficients(int inSize, int outSize, int offset, int count)
    {
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterScale;
        var result = new (int, double[])[count];
        for (var i = 0; i < count; i++)
        {
            var center = (offset + i + 0.5) * scale;
            var min = Math.Max((int)(center - support + 0.5), 0);
            var max = Math.Min((int)(center + support + 0.5), inSize);
            var weights = new double[Math.Max(max - min, 0)];
            double total = 0;
            for (var k = 0; k < weights.Length; k++)
            {
                var t = Math.Abs((k + min - center + 0.5) / filterScale);
                weights[k] = t < 1 ? 1 - t : 0;
                total += weights[k];
            }

            if (total > 0)
            {
                for (var k = 0; k < weights.Length; k++)
                {
                    weights[k] /= total;
                }
            }

            result[i] = (min, weights);
        }

        return result;
    }

    private static byte Clip(double value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(int)(value + 0.5);
}
