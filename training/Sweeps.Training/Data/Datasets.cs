namespace Sweeps.Training.Data;

/// <summary>Loads a dataset by the name a sweep file uses.</summary>
public static class Datasets
{
    /// <summary>Samples in the training split of <c>synthetic</c>.</summary>
    public const int SyntheticTrainCount = 4096;

    /// <summary>Samples in the test split of <c>synthetic</c>.</summary>
    public const int SyntheticTestCount = 1024;

    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic"];

    /// <summary>Loads one split of a named dataset.</summary>
    /// <param name="name"><c>fashion-mnist</c>, <c>mnist</c> (IDX files), <c>cifar10</c>, <c>cifar100</c> (binary
    /// versions), or <c>synthetic</c> (<see cref="SyntheticDataset"/>: 1 x 28 x 28, 10 classes, seed 0,
    /// <see cref="SyntheticTrainCount"/> / <see cref="SyntheticTestCount"/> samples).</param>
    /// <param name="split">Train or test.</param>
    /// <param name="directory">Where the files are; null for the default of fashion-mnist and mnist (required for CIFAR).</param>
    /// <param name="limit">Keep only the first <c>limit</c> samples in file order (null: all).</param>
    /// <exception cref="DatasetException">The name is unknown, a CIFAR directory is not given, or a file is missing or malformed.</exception>
    public static ImageDataset Load(string name, DatasetSplit split, string? directory = null, int? limit = null)
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
            case "synthetic":
                var count = split == DatasetSplit.Train ? SyntheticTrainCount : SyntheticTestCount;
                var data = SyntheticDataset.Create(count, 1, 28, 28, 10, seed: 0, split);
                return limit is { } n ? data.Take(n) : data;
            default:
                throw new DatasetException($"unknown dataset '{name}': expected one of {string.Join(", ", Names)}");
        }
    }

    private static DatasetException NoDirectory(string name) =>
        new($"dataset '{name}' has no default directory: expected a directory holding its binary files");
}
