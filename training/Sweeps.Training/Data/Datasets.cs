namespace Sweeps.Training.Data;

/// <summary>Loads a dataset by the name a sweep file uses.</summary>
public static class Datasets
{
    /// <summary>Samples in the training split of <c>synthetic</c>.</summary>
    public const int SyntheticTrainCount = 4096;

    /// <summary>Samples in the test split of <c>synthetic</c>.</summary>
    public const int SyntheticTestCount = 1024;

    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic", "imagefolder", "tiny-imagenet"];

    /// <summary>The names of datasets read from a folder of images (<see cref="ImageFolderReader"/>): they need a
    /// directory and take <see cref="ImageFolderOptions"/>.</summary>
    public static IReadOnlyList<string> ImageFolderNames { get; } = ["imagefolder", "tiny-imagenet"];

    /// <summary>Loads one split of a named dataset.</summary>
    /// <param name="name"><c>fashion-mnist</c>, <c>mnist</c> (IDX files), <c>cifar10</c>, <c>cifar100</c> (binary
    /// versions), or <c>synthetic</c> (<see cref="SyntheticDataset"/>: 1 x 28 x 28, 10 classes, seed 0,
    /// <see cref="SyntheticTrainCount"/> / <see cref="SyntheticTestCount"/> samples).</param>
    /// <param name="split">Train or test.</param>
    /// <param name="directory">Where the files are; null for the default of fashion-mnist and mnist (required for CIFAR).</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all; image folders interleave
    /// their classes, so the first samples cover every class).</param>
    /// <param name="images">For <c>imagefolder</c> and <c>tiny-imagenet</c> (<see cref="ImageFolderReader"/>): image
    /// size, bad-image policy and cache folder; null for the defaults. Ignored by the other datasets.</param>
    /// <exception cref="DatasetException">The name is unknown, a CIFAR or image-folder directory is not given, or a file is missing or malformed.</exception>
    public static ImageDataset Load(string name, DatasetSplit split, string? directory = null, int? limit = null, ImageFolderOptions? images = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToLowerInvariant())
        {
            case "fashion-mnist" or "fashionmnist" or "fashion_mnist":
                return IdxReader.FashionMnist(split, directory, limit);
            case "mnist":
                return IdxReader.Mnist(split, directory, limit);
            case "cifar10" or "cifar-10":
                return CifarReader.Cifar10(directory ?? throw NoDirectory(name), split, limit);
            case "cifar100" or "cifar-100":
                return CifarReader.Cifar100(directory ?? throw NoDirectory(name), split, limit);
            case "imagefolder" or "image-folder":
                return Limit(ImageFolderReader.Load(directory ?? throw NoDirectory(name, "train/<class>/ and val/<class>/ image folders"), split, ImageFolderLayout.ImageFolder, images), limit);
            case "tiny-imagenet" or "tinyimagenet":
                return Limit(ImageFolderReader.Load(directory ?? throw NoDirectory(name, "Tiny-ImageNet-200's train/ and val/"), split, ImageFolderLayout.TinyImageNet, images), limit);
            case "synthetic":
                var count = split == DatasetSplit.Train ? SyntheticTrainCount : SyntheticTestCount;
                return Limit(SyntheticDataset.Create(count, 1, 28, 28, 10, seed: 0, split), limit);
            default:
                throw new DatasetException($"unknown dataset '{name}': expected one of {string.Join(", ", Names)}");
        }
    }

    private static ImageDataset Limit(ImageDataset data, int? limit) => limit is { } n ? data.Take(n) : data;

    private static DatasetException NoDirectory(string name, string what = "its binary files") =>
        new($"dataset '{name}' has no default directory: expected a directory holding {what}");
}
