using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StbImageSharp;
using static Sweeps.Training.Data.DataFiles;

namespace Sweeps.Training.Data;

/// <summary>
/// Reads a folder of PNG and JPEG images as an <see cref="ImageDataset"/> of 3-channel (RGB) images: torchvision's
/// ImageFolder layout (<c>train/&lt;class&gt;/*</c>, <c>val/&lt;class&gt;/*</c>) or Tiny-ImageNet-200's
/// (<see cref="ImageFolderLayout"/>). Class index = position of the class folder in the sorted (ordinal) names of
/// <c>train/</c>; the test split is <c>val/</c>.
/// </summary>
/// <remarks>
/// <para>Decoding: StbImageSharp (a managed port of stb_image; it reads through a <see cref="BoundedImageStream"/>,
/// which keeps it from hanging on truncated JPEGs) turns every file into 8-bit RGB (grey and alpha
/// images are converted as PIL's <c>convert("RGB")</c> does); with <see cref="ImageFolderOptions.ImageSize"/> each is
/// resized and centre-cropped to a square (<see cref="ImageResizer"/>), else all must share one size (that of the
/// first train image), which both splits keep. Files are decoded in parallel on every core, each straight into its
/// slot of the dataset's one pixel array: the memory needed is that array plus a constant per core (one file and its
/// decoded image). Skipping bad images compacts the array and copies it once into a shorter one.</para>
/// <para>Cache: the decoded split is written once to a cache file (<see cref="ImageFolderOptions.CacheDirectory"/>),
/// keyed by the folder's full path, the layout, the split and the options. A later load reads that file straight into
/// the arrays instead of decoding again, as long as the folder's listing (every image's relative path, size and
/// modification time) is the one the cache was made from; any change decodes again and replaces the file.</para>
/// <para>Normalisation: per-channel mean and standard deviation of the train split's pixels (after resizing),
/// computed exactly from per-channel histograms; the test split uses the train split's.</para>
/// <para>Samples are interleaved across classes (see <c>limit</c> in sweep files: the first N cover every class).
/// Every problem is a <see cref="DatasetException"/> naming the folder or file: a missing <c>train/</c> or
/// <c>val/</c>, a class folder without images, a class in val but not in train, an unreadable or corrupt image
/// (unless <see cref="ImageFolderOptions.SkipBadImages"/>), images of different sizes without an image size.</para>
/// </remarks>
public static class ImageFolderReader
{
    /// <summary>Channels of every image (RGB).</summary>
    public const int Channels = 3;

    /// <summary>Reads one split (decoding it, or reading its cache).</summary>
    /// <param name="directory">The folder holding <c>train/</c> and <c>val/</c>.</param>
    /// <param name="split">Train (<c>train/</c>) or test (<c>val/</c>).</param>
    /// <param name="layout">The folder's layout.</param>
    /// <param name="options">Image size, bad-image policy, cache folder; null for the defaults.</param>
    /// <exception cref="DatasetException">A folder or file is missing, empty or unreadable (see the remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The image size is not positive.</exception>
    public static ImageDataset Load(string directory, DatasetSplit split, ImageFolderLayout layout, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new ImageFolderOptions();
        if (options.ImageSize is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested, nameof(options));
        }

        var full = Path.GetFullPath(directory);
        ImageCacheHeader? train = null;
        if (split == DatasetSplit.Test)
        {
            train = TrainHeader(full, layout, options);
        }

        var (header, pixels, labels) = LoadOrDecode(full, layout, split, options, train);
        var normalization = new ChannelNormalization((train ?? header).Mean, (train ?? header).Std);
        var name = layout == ImageFolderLayout.TinyImageNet ? "tiny-imagenet" : "imagefolder";
        return new ImageDataset(name, pixels, labels, Channels, header.Height, header.Width, header.Classes.Count, normalization)
        {
            SkippedImages = header.Skipped.Count,
        };
    }

    /// <summary>The cache file of a split.</summary>
    internal static string CachePath(string fullDirectory, ImageFolderLayout layout, DatasetSplit split, ImageFolderOptions options)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{fullDirectory}\n{layout}\n{split}\n{options.ImageSize}\n{options.SkipBadImages}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..20];
        var folderName = Path.GetFileName(fullDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(options.CacheDirectory ?? ImageFolderOptions.DefaultCacheDirectory, $"{folderName}-{split.ToString().ToLowerInvariant()}-{hash}.images");
    }

    private static ImageCacheHeader TrainHeader(string directory, ImageFolderLayout layout, ImageFolderOptions options)
    {
        var listing = ImageFolderListing.Read(directory, layout, DatasetSplit.Train);
        var header = ImageCacheFile.ReadHeader(CachePath(directory, layout, DatasetSplit.Train, options));
        return header is not null && header.Fingerprint == listing.Fingerprint
            ? header
            : Decode(directory, layout, DatasetSplit.Train, options, listing, null).Header;
    }

    private static (ImageCacheHeader Header, byte[] Pixels, long[] Labels) LoadOrDecode(
        string directory, ImageFolderLayout layout, DatasetSplit split, ImageFolderOptions options, ImageCacheHeader? train)
    {
        var listing = ImageFolderListing.Read(directory, layout, split);
        var cached = ImageCacheFile.Read(CachePath(directory, layout, split, options));
        if (cached is { } c && c.Header.Fingerprint == listing.Fingerprint
            && (train is null || (c.Header.Height == train.Height && c.Header.Width == train.Width && c.Header.Classes.SequenceEqual(train.Classes))))
        {
            return c;
        }

        return Decode(directory, layout, split, options, listing, train);
    }

    private static (ImageCacheHeader Header, byte[] Pixels, long[] Labels) Decode(
        string directory, ImageFolderLayout layout, DatasetSplit split, ImageFolderOptions options, ImageFolderListing listing, ImageCacheHeader? train)
    {
        var clock = Stopwatch.StartNew();
        var samples = listing.Samples;
        var (height, width, sizeSource) = TargetSize(samples, options, train);
        var imageBytes = (long)Channels * height * width;
        var total = imageBytes * samples.Count;
        if (total > Array.MaxLength)
        {
            throw new DatasetException(
                directory,
                $"{N(samples.Count)} images of {Channels}x{N(height)}x{N(width)} need {N(total)} bytes, more than one array holds ({N(Array.MaxLength)}): set a smaller image_size or use a subset of the images",
                null);
        }

        var pixels = GC.AllocateUninitializedArray<byte>((int)total);
        var labels = new long[samples.Count];
        var errors = new DecodeError?[samples.Count];
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, state) =>
        {
            labels[i] = samples[i].Label;
            errors[i] = DecodeInto(samples[i].Path, options.ImageSize, height, width, sizeSource, pixels.AsSpan((int)(i * imageBytes), (int)imageBytes));
            if (errors[i] is { } e && (!options.SkipBadImages || !e.Skippable))
            {
                state.Break();
            }
        });

        var skipped = new List<string>();
        var kept = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            if (errors[i] is { } error)
            {
                if (!options.SkipBadImages || !error.Skippable)
                {
                    throw error.Exception;
                }

                skipped.Add(error.Exception.Message);
                continue;
            }

            if (kept != i)
            {
                pixels.AsSpan((int)(i * imageBytes), (int)imageBytes).CopyTo(pixels.AsSpan((int)(kept * imageBytes)));
                labels[kept] = labels[i];
            }

            kept++;
        }

        if (kept == 0)
        {
            throw new DatasetException(Path.Combine(directory, split == DatasetSplit.Train ? "train" : "val"), $"every image is unreadable ({N(skipped.Count)} skipped), e.g. {skipped[0]}", null);
        }

        if (kept < samples.Count)
        {
            Array.Resize(ref pixels, (int)(kept * imageBytes));
            Array.Resize(ref labels, kept);
        }

        var (mean, std) = Statistics(pixels, height * width);
        var header = new ImageCacheHeader
        {
            Directory = directory,
            Split = $"{layout}/{split}",
            Fingerprint = listing.Fingerprint,
            ImageSize = options.ImageSize,
            SkipBadImages = options.SkipBadImages,
            Count = kept,
            Channels = Channels,
            Height = height,
            Width = width,
            Classes = listing.Classes,
            Skipped = skipped,
            Mean = mean,
            Std = std,
            DecodeSeconds = clock.Elapsed.TotalSeconds,
        };
        var cachePath = CachePath(directory, layout, split, options);
        try
        {
            ImageCacheFile.Write(cachePath, header, pixels, labels);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(cachePath, $"cannot write the decoded images' cache file ({e.Message}); set {ImageFolderOptions.CacheDirectoryVariable} to a writable folder", e);
        }

        return (header, pixels, labels);
    }

    // The images' size: the requested square, the train split's (for val), or that of the first readable image.
    private static (int Height, int Width, string Source) TargetSize(IReadOnlyList<(string Path, int Label)> samples, ImageFolderOptions options, ImageCacheHeader? train)
    {
        if (options.ImageSize is { } size)
        {
            return (size, size, "image_size");
        }

        if (train is not null)
        {
            return (train.Height, train.Width, "the train images");
        }

        foreach (var (path, _) in samples)
        {
            try
            {
                using var stream = new BoundedImageStream(File.ReadAllBytes(path));
                var info = ImageInfo.FromStream(stream);
                if (info is { Width: > 0, Height: > 0 } i)
                {
                    return (i.Height, i.Width, Path.GetFileName(path));
                }
            }
#pragma warning disable CA1031 // An unreadable header (I/O or a decoder exception of any type) is a bad image.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            if (!options.SkipBadImages)
            {
                throw new DatasetException(path, "not a readable PNG or JPEG image (its header cannot be read)", null);
            }
        }

        throw new DatasetException(Path.GetDirectoryName(samples[0].Path)!, "no image has a readable header", null);
    }

    private static DecodeError? DecodeInto(string path, int? size, int height, int width, string sizeSource, Span<byte> destination)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DecodeError(new DatasetException(path, $"cannot be read: {e.Message}", e), Skippable: true);
        }

        ImageResult image;
        try
        {
            using var stream = new BoundedImageStream(bytes);
            image = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
        }
#pragma warning disable CA1031 // stb_image reports a corrupt file with several exception types; each is a bad image.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new DecodeError(new DatasetException(path, $"not a readable PNG or JPEG image (corrupt or truncated: {e.Message})", e), Skippable: true);
        }

        if (image.Width <= 0 || image.Height <= 0 || image.Data is null || image.Data.Length < image.Width * image.Height * Channels)
        {
            return new DecodeError(new DatasetException(path, "not a readable PNG or JPEG image (no pixel data)", null), Skippable: true);
        }

        if (size is { } s)
        {
            ImageResizer.ResizeCenterCrop(image.Data, Channels, image.Height, image.Width, s, destination);
            return null;
        }

        if (image.Height != height || image.Width != width)
        {
            return new DecodeError(
                new DatasetException(
                    path,
                    $"is {N(image.Width)}x{N(image.Height)} (width x height) but {sizeSource} is {N(width)}x{N(height)}: images of different sizes need image_size (each is then resized and centre-cropped to image_size x image_size)",
                    null),
                Skippable: false);
        }

        ImageResizer.ToPlanes(image.Data, Channels, width, 0, 0, height, width, destination);
        return null;
    }

    // Exact per-channel mean and (population) standard deviation of the pixels / 255, from byte histograms.
    private static (float[] Mean, float[] Std) Statistics(byte[] pixels, int plane)
    {
        var histogram = new long[Channels, 256];
        var images = pixels.Length / (plane * Channels);
        for (var n = 0; n < images; n++)
        {
            for (var c = 0; c < Channels; c++)
            {
                foreach (var v in pixels.AsSpan(((n * Channels) + c) * plane, plane))
                {
                    histogram[c, v]++;
                }
            }
        }

        var mean = new float[Channels];
        var std = new float[Channels];
        for (var c = 0; c < Channels; c++)
        {
            double count = 0, sum = 0, squares = 0;
            for (var v = 0; v < 256; v++)
            {
                var k = histogram[c, v];
                count += k;
                sum += k * (v / 255.0);
                squares += k * (v / 255.0) * (v / 255.0);
            }

            var m = sum / count;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max((squares / count) - (m * m), 1e-12));
        }

        return (mean, std);
    }

    private sealed record DecodeError(DatasetException Exception, bool Skippable);
}
