namespace Sweeps.Torch.NN;

/// <summary>A state-dict entry whose shape differs from the module's tensor of the same name.</summary>
/// <param name="Key">The entry's name, e.g. <c>conv1.weight</c>.</param>
/// <param name="Expected">The module's shape.</param>
/// <param name="Actual">The state dict's shape.</param>
public sealed record StateDictShapeMismatch(string Key, IReadOnlyList<long> Expected, IReadOnlyList<long> Actual)
{
    /// <summary>"conv1.weight: expected shape [16, 1, 3, 3], got [16, 3, 3, 3]".</summary>
    public override string ToString() => $"{Key}: expected shape {Format(Expected)}, got {Format(Actual)}";

    /// <summary>A shape as PyTorch prints a size: <c>[16, 1, 3, 3]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
