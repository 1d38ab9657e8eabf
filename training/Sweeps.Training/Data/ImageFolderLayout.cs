namespace Sweeps.Training.Data;

/// <summary>How an image folder dataset is laid out on disk.</summary>
public enum ImageFolderLayout
{
    /// <summary>torchvision's ImageFolder layout: <c>train/&lt;class&gt;/*</c> and <c>val/&lt;class&gt;/*</c> (sub-folders of
    /// a class folder are searched too).</summary>
    ImageFolder,

    /// <summary>Tiny-ImageNet-200: <c>train/&lt;wnid&gt;/images/*.JPEG</c>, <c>val/images/*.JPEG</c> with the classes in
    /// <c>val/val_annotations.txt</c> (file, wnid, box, tab-separated).</summary>
    TinyImageNet,
}
