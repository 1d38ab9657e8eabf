using System.Globalization;
using System.Text.RegularExpressions;

namespace Sweeps.Training.Quantization;

/// <summary>
/// Weight and activation bit-widths of a quantized model, written <c>W4A4</c> (4-bit weights, 4-bit activations).
/// Each side is 1 to 8 bits, or 32 for full precision (that side is not quantized); <c>W32A32</c> is the
/// full-precision model.
/// </summary>
public sealed partial record BitWidths
{
    /// <summary>The bit-width that means "full precision, not quantized".</summary>
    public const int FullPrecisionBits = 32;

    /// <summary>Creates bit-widths after checking each side.</summary>
    /// <param name="weight">Weight bits: 1..8 or 32.</param>
    /// <param name="activation">Activation bits: 1..8 or 32.</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is not 1..8 or 32.</exception>
    public BitWidths(int weight, int activation)
    {
        if (!IsValid(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "weight bits must be 1..8 or 32");
        }

        if (!IsValid(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "activation bits must be 1..8 or 32");
        }

        Weight = weight;
        Activation = activation;
    }

    /// <summary>Full precision on both sides (<c>W32A32</c>).</summary>
    public static BitWidths FullPrecision { get; } = new(FullPrecisionBits, FullPrecisionBits);

    /// <summary>Weight bits (1..8, or 32 = not quantized).</summary>
    public int Weight { get; }

    /// <summary>Activation bits (1..8, or 32 = not quantized).</summary>
    public int Activation { get; }

    /// <summary>Whether neither side is quantized.</summary>
    public bool IsFullPrecision => Weight == FullPrecisionBits && Activation == FullPrecisionBits;

    /// <summary>
    /// Parses <c>W&lt;bits&gt;A&lt;bits&gt;</c>, weights first, e.g. <c>W4A4</c>, <c>W1A2</c>, <c>W32A32</c>.
    /// The letters may be upper or lower case (<c>w4a4</c> is <c>W4A4</c>); no spaces, no other order.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form, or a bit-width is not 1..8 or 32.</exception>
    public static BitWidths Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var m = Pattern().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"'{text}' is not a bit-width: expected W<bits>A<bits> such as W4A4, W2A4, W1A2 or W32A32");
        }

        var w = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var a = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (!IsValid(w) || !IsValid(a))
        {
            throw new FormatException($"'{text}': each bit-width must be 1..8, or 32 for full precision");
        }

        return new BitWidths(w, a);
    }

    /// <summary>The canonical text, e.g. <c>W4A4</c>; <see cref="Parse"/> reads it back.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"W{Weight}A{Activation}");

    private static bool IsValid(int bits) => bits is (>= 1 and <= 8) or FullPrecisionBits;

    [GeneratedRegex("^[Ww]([0-9]{1,2})[Aa]([0-9]{1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
