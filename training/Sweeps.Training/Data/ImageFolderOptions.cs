namespace Sweeps.Training.Data;

/// <summary>How <see cref="ImageFolderReader"/> turns a folder of images into a dataset.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>The environment variable that overrides <see cref="DefaultCacheDirectory"/>.</summary>
    public const string CacheDirectoryVariable = "SWEEPS_CACHE_DIR";

    /// <summary>Side of the square images the dataset holds: each image is resized (bilinear, antialiased, shorter
    /// side to this size) and centre-cropped to it. Null keeps the images' own size, which they must then all share.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Whether an unreadable or corrupt image is left out (and counted in
    /// <see cref="ImageDataset.SkippedImages"/>) instead of being an error. Default false.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Where the decoded tensors are cached; null is <see cref="DefaultCacheDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary><c>$SWEEPS_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/sweeps/image-folders</c>, else
    /// <c>~/.cache/sweeps/image-folders</c>.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var explicitDirectory = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(explicitDirectory))
            {
                return explicitDirectory;
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = string.IsNullOrWhiteSpace(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "sweeps", "image-folders");
        }
    }
}
