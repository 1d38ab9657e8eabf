using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using static Sweeps.Training.Data.DataFiles;

namespace Sweeps.Training.Data;

/// <summary>
/// The images of one split of an image folder with their labels, and a fingerprint of the files that changes when
/// any of them is added, removed, renamed, resized or rewritten. Classes are the sorted (ordinal) folder names of
/// <c>train/</c>; the samples are interleaved across classes (sample i of class 0, of class 1, ..., then sample i + 1),
/// so that the first N samples of a split cover every class evenly.
/// </summary>
internal sealed class ImageFolderListing
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    private ImageFolderListing(IReadOnlyList<string> classes, IReadOnlyList<(string Path, int Label)> samples, string fingerprint)
    {
        Classes = classes;
        Samples = samples;
        Fingerprint = fingerprint;
    }

    /// <summary>Class names; the index is the label.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Image files (full paths) and labels, interleaved across classes.</summary>
    public IReadOnlyList<(string Path, int Label)> Samples { get; }

    /// <summary>SHA-256 over every listed file's relative path, size and modification time (and the annotations file).</summary>
    public string Fingerprint { get; }

    /// <summary>Lists a split. Every problem is a <see cref="DatasetException"/> naming the folder or file.</summary>
    public static ImageFolderListing Read(string directory, ImageFolderLayout layout, DatasetSplit split)
    {
        var layoutText = layout == ImageFolderLayout.TinyImageNet
            ? "train/<wnid>/images/*.JPEG and val/images with val/val_annotations.txt (Tiny-ImageNet-200)"
            : "train/<class>/* and val/<class>/* images (PNG or JPEG)";
        RequireDirectory(directory, layoutText);
        var trainDirectory = Path.Combine(directory, "train");
        RequireDirectory(trainDirectory, "one folder per class");
        var classes = Directory.GetDirectories(trainDirectory).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
        {
            throw new DatasetException(trainDirectory, "holds no class folder: expected train/<class>/ folders holding images", null);
        }

        var perClass = new List<string>[classes.Count];
        var extraFiles = new List<string>();
        if (split == DatasetSplit.Train)
        {
            for (var k = 0; k < classes.Count; k++)
            {
                var folder = Path.Combine(trainDirectory, classes[k]);
                perClass[k] = Images(layout == ImageFolderLayout.TinyImageNet && Directory.Exists(Path.Combine(folder, "images")) ? Path.Combine(folder, "images") : folder);
            }
        }
        else if (layout == ImageFolderLayout.ImageFolder)
        {
            var valDirectory = Path.Combine(directory, "val");
            RequireDirectory(valDirectory, "one folder per class, named as in train/");
            var index = classes.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
            for (var k = 0; k < classes.Count; k++)
            {
                perClass[k] = [];
            }

            foreach (var folder in Directory.GetDirectories(valDirectory).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(folder)!;
                if (!index.TryGetValue(name, out var label))
                {
                    throw new DatasetException(folder, $"class '{name}' is in val/ but not in train/ (train has {Describe(classes)})", null);
                }

                perClass[label] = Images(folder);
            }
        }
        else
        {
            perClass = TinyImageNetValidation(directory, classes, extraFiles);
        }

        var samples = Interleave(perClass);
        if (samples.Count == 0)
        {
            throw new DatasetException(Path.Combine(directory, split == DatasetSplit.Train ? "train" : "val"), "holds no PNG or JPEG image", null);
        }

        return new ImageFolderListing(classes, samples, Hash(directory, samples.Select(s => s.Path).Concat(extraFiles)));
    }

    private static List<string> Images(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var images = files.Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).ToList();
        if (images.Count == 0)
        {
            var others = files.Count == 0
                ? "it is empty"
                : $"found {N(files.Count)} other file(s), e.g. {Path.GetFileName(files[0])}";
            throw new DatasetException(folder, $"class folder holds no image: expected PNG or JPEG files ({string.Join(", ", Extensions)}); {others}", null);
        }

        return images;
    }

    private static List<string>[] TinyImageNetValidation(string directory, List<string> classes, List<string> extraFiles)
    {
        var annotations = Path.Combine(directory, "val", "val_annotations.txt");
        if (!File.Exists(annotations))
        {
            throw new DatasetException(annotations, "file not found: Tiny-ImageNet's val/ must hold val_annotations.txt (file, wnid, box per line) and images/", null);
        }

        extraFiles.Add(annotations);
        var index = classes.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var perClass = classes.Select(_ => new List<string>()).ToArray();
        var images = Path.Combine(directory, "val", "images");
        var lineNumber = 0;
        foreach (var line in File.ReadLines(annotations))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length < 2)
            {
                throw new DatasetException(annotations, $"line {N(lineNumber)}: expected 'file<TAB>wnid<TAB>box...', found '{line}'", null);
            }

            if (!index.TryGetValue(fields[1], out var label))
            {
                throw new DatasetException(annotations, $"line {N(lineNumber)}: class '{fields[1]}' is in val but not in train/ (train has {Describe(classes)})", null);
            }

            var file = Path.Combine(images, fields[0]);
            if (!File.Exists(file))
            {
                throw new DatasetException(file, $"file not found (named on line {N(lineNumber)} of {annotations})", null);
            }

            perClass[label].Add(file);
        }

        foreach (var list in perClass)
        {
            list.Sort(StringComparer.Ordinal);
        }

        return perClass;
    }

    private static List<(string Path, int Label)> Interleave(List<string>[] perClass)
    {
        var samples = new List<(string Path, int Label)>(perClass.Sum(c => c.Count));
        var longest = perClass.Max(c => c.Count);
        for (var i = 0; i < longest; i++)
        {
            for (var k = 0; k < perClass.Length; k++)
            {
                if (i < perClass[k].Count)
                {
                    samples.Add((perClass[k][i], k));
                }
            }
        }

        return samples;
    }

    private static string Hash(string directory, IEnumerable<string> files)
    {
        var text = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(Path.GetRelativePath(directory, file)).Append('\t')
                .Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Describe(List<string> classes) =>
        classes.Count <= 5 ? string.Join(", ", classes) : $"{string.Join(", ", classes.Take(5))}, ... ({N(classes.Count)} classes)";
}
