namespace Sweeps.Torch;

/// <summary>One entry of a tensor index, as in Python's <c>t[0, 1:3, ..., None, mask]</c>.</summary>
public readonly struct TensorIndex : IEquatable<TensorIndex>
{
    internal const long Absent = long.MinValue;

    private TensorIndex(Kind kind, long a = Absent, long b = Absent, long c = Absent, Tensor? tensor = null)
    {
        IndexKind = kind;
        Start = a;
        Stop = b;
        Step = c;
        Tensor = tensor;
    }

    /// <summary>Kinds of entries (values shared with the native shim).</summary>
    public enum Kind
    {
        /// <summary>One position: removes the dimension.</summary>
        Single = 0,

        /// <summary>start:stop:step.</summary>
        Slice = 1,

        /// <summary>... : as many full slices as needed.</summary>
        Ellipsis = 2,

        /// <summary>None: inserts a dimension of size 1.</summary>
        None = 3,

        /// <summary>Advanced indexing by an integer or boolean tensor.</summary>
        Tensor = 4,
    }

    /// <summary>What this entry is.</summary>
    public Kind IndexKind { get; }

    /// <summary>The position (Single) or the slice start; <see cref="long.MinValue"/> when omitted.</summary>
    public long Start { get; }

    /// <summary>The slice stop; <see cref="long.MinValue"/> when omitted.</summary>
    public long Stop { get; }

    /// <summary>The slice step; <see cref="long.MinValue"/> when omitted.</summary>
    public long Step { get; }

    /// <summary>The index tensor of a Tensor entry.</summary>
    public Tensor? Tensor { get; }

    /// <summary>The ellipsis <c>...</c>.</summary>
    public static TensorIndex Ellipsis => new(Kind.Ellipsis);

    /// <summary>A new axis (<c>None</c>).</summary>
    public static TensorIndex NewAxis => new(Kind.None);

    /// <summary>The whole dimension (<c>:</c>).</summary>
    public static TensorIndex Colon => new(Kind.Slice);

    /// <summary>One position (negative counts from the end).</summary>
    public static TensorIndex Single(long index) => new(Kind.Single, index);

    /// <summary>A slice start:stop:step; null bounds are omitted.</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null) =>
        new(Kind.Slice, start ?? Absent, stop ?? Absent, step ?? Absent);

    /// <summary>Advanced indexing by an Int64 or Bool tensor.</summary>
    public static TensorIndex ByTensor(Tensor index) => new(Kind.Tensor, tensor: index);

    /// <summary>One position.</summary>
    public static implicit operator TensorIndex(long index) => Single(index);

    /// <summary>A C# range as a slice (<c>1..3</c>, <c>..^1</c>).</summary>
    public static implicit operator TensorIndex(Range range)
    {
        long? Bound(Index i, bool isStart) =>
            i.IsFromEnd ? (i.Value == 0 ? null : -i.Value) : (isStart && i.Value == 0 ? null : i.Value);
        return Slice(Bound(range.Start, true), Bound(range.End, false));
    }

    /// <summary>Advanced indexing by a tensor.</summary>
    public static implicit operator TensorIndex(Tensor index) => ByTensor(index);

    /// <summary>Same as the implicit conversion from long.</summary>
    public static TensorIndex FromInt64(long index) => Single(index);

    /// <summary>Same as the implicit conversion from Range.</summary>
    public static TensorIndex FromRange(Range range) => range;

    /// <summary>Same as the implicit conversion from Tensor.</summary>
    public static TensorIndex FromTensor(Tensor index) => ByTensor(index);

    /// <inheritdoc/>
    public bool Equals(TensorIndex other) =>
        IndexKind == other.IndexKind && Start == other.Start && Stop == other.Stop && Step == other.Step
        && ReferenceEquals(Tensor, other.Tensor);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorIndex other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(IndexKind, Start, Stop, Step, Tensor);

    /// <summary>Equality of entries.</summary>
    public static bool operator ==(TensorIndex left, TensorIndex right) => left.Equals(right);

    /// <summary>Inequality of entries.</summary>
    public static bool operator !=(TensorIndex left, TensorIndex right) => !left.Equals(right);
}
