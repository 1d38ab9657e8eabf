namespace Sweeps.Reports;

/// <summary>A bit-width column: weight and activation bits (32/32 for full precision).</summary>
internal readonly record struct BitWidth(int WBits, int ABits) : IComparable<BitWidth>
{
    /// <summary><c>W4A4</c>, or <c>FP32</c> for 32/32.</summary>
    public string Label => WBits >= 32 && ABits >= 32 ? "FP32" : $"W{WBits}A{ABits}";

    public int CompareTo(BitWidth other) => WBits != other.WBits ? WBits.CompareTo(other.WBits) : ABits.CompareTo(other.ABits);

    public override string ToString() => Label;
}
