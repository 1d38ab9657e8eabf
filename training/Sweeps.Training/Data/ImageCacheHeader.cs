namespace Sweeps.Training.Data;

/// <summary>The header of an <see cref="ImageCacheFile"/>: what was decoded, from which files, and its statistics.</summary>
internal sealed record ImageCacheHeader
{
    /// <summary>The folder's full path.</summary>
    public required string Directory { get; init; }

    /// <summary>The layout and split, e.g. <c>ImageFolder/Train</c>.</summary>
    public required string Split { get; init; }

    /// <summary>The listing's <see cref="ImageFolderListing.Fingerprint"/>.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The requested image size (null: the images' own).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Whether bad images were skipped.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Samples N.</summary>
    public required int Count { get; init; }

    /// <summary>C.</summary>
    public required int Channels { get; init; }

    /// <summary>H.</summary>
    public required int Height { get; init; }

    /// <summary>W.</summary>
    public required int Width { get; init; }

    /// <summary>Class names (index = label).</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>Files left out as unreadable (with <see cref="SkipBadImages"/>), each with the decoder's reason.</summary>
    public required IReadOnlyList<string> Skipped { get; init; }

    /// <summary>Per-channel mean of the pixels (in [0, 1]).</summary>
    public required IReadOnlyList<float> Mean { get; init; }

    /// <summary>Per-channel standard deviation of the pixels (in [0, 1]).</summary>
    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>Seconds the decoding took.</summary>
    public double DecodeSeconds { get; init; }
}
