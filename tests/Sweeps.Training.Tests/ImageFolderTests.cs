using Sweeps.Torch.Tests;
using Sweeps.Training.Data;
using Xunit.Abstractions;

namespace Sweeps.Training.Tests;

/// <summary>Image folders written by the tests (PNG and JPEG, two sizes, three classes) against PIL + torchvision's
/// Resize / CenterCrop (reference/image_folder.py), and every bad-data error.</summary>
public sealed class ImageFolderTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Root => _dir.File("data");

    private ImageFolderOptions Options(int? size = 16, bool skip = false) =>
        new() { ImageSize = size, SkipBadImages = skip, CacheDirectory = _dir.File("cache") };

    public void Dispose() => _dir.Dispose();

    // train: cat (a.png 16x16, b.jpg 24x20), dog (a.jpg 16x16, b.png 20x24), emu (a.png 16x16, b.png 24x20);
    // val: cat (v.png 16x16), dog (v.jpg 16x16). Returns the files in the order the dataset holds them.
    private (string[] Train, string[] Val) WriteThreeClasses()
    {
        string F(string split, string cls, string name) => Path.Combine(Root, split, cls, name);
        ImageFolderWriter.Png(F("train", "cat", "a.png"), 16, 16, 1);
        ImageFolderWriter.Jpeg(F("train", "cat", "b.jpg"), 24, 20, 2);
        ImageFolderWriter.Jpeg(F("train", "dog", "a.jpg"), 16, 16, 3);
        ImageFolderWriter.Png(F("train", "dog", "b.png"), 20, 24, 4);
        ImageFolderWriter.Png(F("train", "emu", "a.png"), 16, 16, 5);
        ImageFolderWriter.Png(F("train", "emu", "b.png"), 24, 20, 6);
        ImageFolderWriter.Png(F("val", "cat", "v.png"), 16, 16, 7);
        ImageFolderWriter.Jpeg(F("val", "dog", "v.jpg"), 16, 16, 8);
        File.WriteAllText(F("train", "emu", "notes.txt"), "not an image: ignored");
        return (
            [F("train", "cat", "a.png"), F("train", "dog", "a.jpg"), F("train", "emu", "a.png"), F("train", "cat", "b.jpg"), F("train", "dog", "b.png"), F("train", "emu", "b.png")],
            [F("val", "cat", "v.png"), F("val", "dog", "v.jpg")]);
    }

    [Fact]
    public void Load_PngAndJpegTwoSizesThreeClasses_ClassesSizesAndPixelsMatchTorchvision()
    {
        var (trainFiles, valFiles) = WriteThreeClasses();
        var train = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options());
        var val = ImageFolderReader.Load(Root, DatasetSplit.Test, ImageFolderLayout.ImageFolder, Options());

        Assert.Equal((6, 3, 16, 16, 3), (train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal([0L, 1, 2, 0, 1, 2], train.Labels.ToArray());
        Assert.Equal((2, 3, 16, 16, 3), (val.Count, val.Channels, val.Height, val.Width, val.ClassCount));
        Assert.Equal([0L, 1], val.Labels.ToArray());
        Assert.Equal("imagefolder", train.Name);

        // The 16x16 PNG needs no resize: its bytes are the ones written, exactly.
        var written = ImageFolderWriter.Pattern(16, 16, 1);
        Assert.Equal(Planes(written, 16, 16), train.GetImage(0).ToArray());

        var reference = PythonReference.Run("image_folder.py", ["16", .. trainFiles, .. valFiles]).EnumerateArray().ToArray();
        var all = trainFiles.Concat(valFiles).ToArray();
        for (var i = 0; i < all.Length; i++)
        {
            var expected = reference[i].EnumerateArray().SelectMany(c => c.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetInt32()))).ToArray();
            var actual = (i < trainFiles.Length ? train.GetImage(i) : val.GetImage(i - trainFiles.Length)).ToArray();
            var diffs = expected.Zip(actual, (e, a) => Math.Abs(e - a)).ToArray();
            output.WriteLine($"{Path.GetRelativePath(Root, all[i])}: max diff {diffs.Max()}, mean {diffs.Average():F3}");

            // PNG: Pillow's fixed-point resampling rounds rare pixels the other way. JPEG: stb_image's and libjpeg's
            // decoders differ slightly in the IDCT and chroma upsampling.
            var jpeg = all[i].EndsWith(".jpg", StringComparison.Ordinal);
            Assert.True(diffs.Max() <= (jpeg ? 4 : 1), $"{all[i]}: max diff {diffs.Max()} from PIL + torchvision");
            Assert.True(diffs.Average() <= (jpeg ? 0.3 : 0.1), $"{all[i]}: mean diff {diffs.Average():F3} from PIL + torchvision");
        }

        // Mean and std per channel: of every train pixel (after resizing), by hand; val uses train's.
        for (var c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, train.Count).SelectMany(i => train.GetImage(i).Slice(c * 256, 256).ToArray()).Select(v => v / 255.0).ToArray();
            var mean = values.Average();
            var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            Assert.Equal(mean, train.Normalization.Mean[c], 5);
            Assert.Equal(std, train.Normalization.Std[c], 5);
        }

        Assert.Equal(train.Normalization.Mean, val.Normalization.Mean);
        Assert.Equal(train.Normalization.Std, val.Normalization.Std);
    }

    [Fact]
    public void Load_NoImageSizeAllOneSize_KeepsTheirSize_OtherwiseErrorNamesTheOddFile()
    {
        ImageFolderWriter.Png(Path.Combine(Root, "train", "a", "1.png"), 12, 10, 1);
        ImageFolderWriter.Png(Path.Combine(Root, "train", "b", "1.png"), 12, 10, 2);
        ImageFolderWriter.Png(Path.Combine(Root, "val", "a", "1.png"), 12, 10, 3);
        var train = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options(size: null));
        var val = ImageFolderReader.Load(Root, DatasetSplit.Test, ImageFolderLayout.ImageFolder, Options(size: null));
        Assert.Equal((10, 12), (train.Height, train.Width));
        Assert.Equal((10, 12), (val.Height, val.Width));

        var odd = Path.Combine(Root, "train", "b", "2.png");
        ImageFolderWriter.Png(odd, 14, 10, 4);
        var e = Assert.Throws<DatasetException>(() => ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options(size: null)));
        Assert.Equal(odd, e.Path);
        Assert.Contains("is 14x10", e.Message, StringComparison.Ordinal);
        Assert.Contains("image_size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptImage_ErrorNamesTheFile_SkipBadImagesCountsIt()
    {
        WriteThreeClasses();
        var corrupt = Path.Combine(Root, "train", "dog", "c.png");
        var png = File.ReadAllBytes(Path.Combine(Root, "train", "emu", "a.png"));
        File.WriteAllBytes(corrupt, png.AsSpan(0, png.Length / 2).ToArray()); // truncated
        var truncatedJpeg = Path.Combine(Root, "train", "cat", "c.jpg");
        File.WriteAllBytes(truncatedJpeg, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);

        var e = Assert.Throws<DatasetException>(() => ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options()));
        Assert.True(e.Path == corrupt || e.Path == truncatedJpeg, e.Message);
        Assert.Contains("not a readable PNG or JPEG image", e.Message, StringComparison.Ordinal);

        var skipped = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options(skip: true));
        Assert.Equal(2, skipped.SkippedImages);
        Assert.Equal(6, skipped.Count);
        Assert.Equal([0L, 1, 2, 0, 1, 2], skipped.Labels.ToArray());
    }

    [Fact]
    public void Load_EmptyClassFolder_ErrorNamesIt()
    {
        WriteThreeClasses();
        var empty = Directory.CreateDirectory(Path.Combine(Root, "train", "fox")).FullName;
        var e = Assert.Throws<DatasetException>(() => ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options()));
        Assert.Equal(empty, e.Path);
        Assert.Contains("class folder holds no image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ClassInValButNotInTrain_ErrorNamesIt()
    {
        WriteThreeClasses();
        ImageFolderWriter.Png(Path.Combine(Root, "val", "yak", "v.png"), 16, 16, 9);
        var e = Assert.Throws<DatasetException>(() => ImageFolderReader.Load(Root, DatasetSplit.Test, ImageFolderLayout.ImageFolder, Options()));
        Assert.Equal(Path.Combine(Root, "val", "yak"), e.Path);
        Assert.Contains("class 'yak' is in val/ but not in train/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SecondTime_ReadsTheCache_ChangedFolderDecodesAgain()
    {
        WriteThreeClasses();
        var first = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options());
        var cache = ImageFolderReader.CachePath(Path.GetFullPath(Root), ImageFolderLayout.ImageFolder, DatasetSplit.Train, Options());
        Assert.True(File.Exists(cache));

        // Mark the cached pixels: a load that reads the cache returns the marks, one that decodes does not.
        var bytes = File.ReadAllBytes(cache);
        var pixelStart = bytes.Length - (6 * 8) - (6 * 3 * 16 * 16);
        bytes.AsSpan(pixelStart, 3 * 16 * 16).Fill(7);
        File.WriteAllBytes(cache, bytes);
        var second = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options());
        Assert.All(second.GetImage(0).ToArray(), v => Assert.Equal(7, v));
        Assert.Equal(first.GetImage(1).ToArray(), second.GetImage(1).ToArray());

        // A new image changes the listing: decoded again, marks gone, one more sample.
        ImageFolderWriter.Png(Path.Combine(Root, "train", "emu", "c.png"), 16, 16, 10);
        var third = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options());
        Assert.Equal(7, third.Count);
        Assert.Equal(first.GetImage(0).ToArray(), third.GetImage(0).ToArray());

        // A rewritten file (same name, other content and time) also counts as a change.
        bytes = File.ReadAllBytes(cache);
        pixelStart = bytes.Length - (7 * 8) - (7 * 3 * 16 * 16);
        bytes.AsSpan(pixelStart, 3 * 16 * 16).Fill(7);
        File.WriteAllBytes(cache, bytes);
        ImageFolderWriter.Png(Path.Combine(Root, "train", "cat", "a.png"), 16, 16, 11);
        File.SetLastWriteTimeUtc(Path.Combine(Root, "train", "cat", "a.png"), DateTime.UtcNow.AddMinutes(1));
        var fourth = ImageFolderReader.Load(Root, DatasetSplit.Train, ImageFolderLayout.ImageFolder, Options());
        Assert.Equal(Planes(ImageFolderWriter.Pattern(16, 16, 11), 16, 16), fourth.GetImage(0).ToArray());
    }

    [Fact]
    public void Load_TinyImageNetLayout_LabelsFromFoldersAndValAnnotations()
    {
        string[] wnids = ["n02", "n01"];
        foreach (var (wnid, k) in wnids.Select((w, k) => (w, k)))
        {
            for (var i = 0; i < 2; i++)
            {
                ImageFolderWriter.Jpeg(Path.Combine(Root, "train", wnid, "images", $"{wnid}_{i}.JPEG"), 16, 16, (10 * k) + i);
            }

            File.WriteAllText(Path.Combine(Root, "train", wnid, $"{wnid}_boxes.txt"), "boxes: ignored");
        }

        ImageFolderWriter.Jpeg(Path.Combine(Root, "val", "images", "val_0.JPEG"), 16, 16, 30);
        ImageFolderWriter.Jpeg(Path.Combine(Root, "val", "images", "val_1.JPEG"), 16, 16, 31);
        var annotations = Path.Combine(Root, "val", "val_annotations.txt");
        File.WriteAllText(annotations, "val_0.JPEG\tn02\t0\t0\t10\t10\nval_1.JPEG\tn01\t1\t1\t12\t12\n");

        var train = Datasets.Load("tiny-imagenet", DatasetSplit.Train, Root, images: Options(size: null));
        var val = Datasets.Load("tiny-imagenet", DatasetSplit.Test, Root, images: Options(size: null));
        Assert.Equal("tiny-imagenet", train.Name);
        Assert.Equal((4, 2, 16, 16), (train.Count, train.ClassCount, train.Height, train.Width));
        Assert.Equal([0L, 1, 0, 1], train.Labels.ToArray()); // n01 = 0, n02 = 1 (sorted)
        Assert.Equal([0L, 1], val.Labels.ToArray().Order()); // val_1 is n01, val_0 is n02
        Assert.Equal(2, val.Count);

        File.AppendAllText(annotations, "val_2.JPEG\tn09\t0\t0\t1\t1\n");
        ImageFolderWriter.Jpeg(Path.Combine(Root, "val", "images", "val_2.JPEG"), 16, 16, 32);
        var e = Assert.Throws<DatasetException>(() => Datasets.Load("tiny-imagenet", DatasetSplit.Test, Root, images: Options(size: null)));
        Assert.Equal(annotations, e.Path);
        Assert.Contains("line 3: class 'n09' is in val but not in train/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFolders_ErrorsNameThem()
    {
        var e = Assert.Throws<DatasetException>(() => Datasets.Load("imagefolder", DatasetSplit.Train, Root, images: Options()));
        Assert.Equal(Root, e.Path);
        ImageFolderWriter.Png(Path.Combine(Root, "train", "a", "1.png"), 16, 16, 1);
        e = Assert.Throws<DatasetException>(() => Datasets.Load("imagefolder", DatasetSplit.Test, Root, images: Options()));
        Assert.Equal(Path.Combine(Root, "val"), e.Path);
        var noDirectory = Assert.Throws<DatasetException>(() => Datasets.Load("imagefolder", DatasetSplit.Train));
        Assert.Contains("imagefolder", noDirectory.Message, StringComparison.Ordinal);
    }

    private static byte[] Planes(byte[] interleaved, int width, int height)
    {
        var planes = new byte[interleaved.Length];
        for (var i = 0; i < width * height; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                planes[(c * width * height) + i] = interleaved[(i * 3) + c];
            }
        }

        return planes;
    }
}
