using Sweeps.Training.Quantization;

namespace Sweeps.Training.Tests;

public sealed class QuantBitWidthsTests
{
    [Theory]
    [InlineData("W4A4", 4, 4)]
    [InlineData("W2A4", 2, 4)]
    [InlineData("W1A2", 1, 2)]
    [InlineData("W8A8", 8, 8)]
    [InlineData("W32A32", 32, 32)]
    [InlineData("W4A32", 4, 32)]
    [InlineData("w4a4", 4, 4)]
    [InlineData("w3A5", 3, 5)]
    public void Parse_ValidText_ReadsBothSides(string text, int weight, int activation)
    {
        var bits = BitWidths.Parse(text);

        Assert.Equal(weight, bits.Weight);
        Assert.Equal(activation, bits.Activation);
        Assert.Equal(text.ToUpperInvariant(), bits.ToString());
        Assert.Equal(bits, BitWidths.Parse(bits.ToString()));
    }

    [Theory]
    [InlineData("W9A2")]
    [InlineData("W4")]
    [InlineData("A4W4")]
    [InlineData("W0A4")]
    [InlineData("W4A16")]
    [InlineData("W4 A4")]
    [InlineData("")]
    [InlineData("W4A4x")]
    public void Parse_InvalidText_ThrowsFormatException(string text)
    {
        var e = Assert.Throws<FormatException>(() => BitWidths.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsFullPrecision_OnlyW32A32_IsTrue()
    {
        Assert.True(BitWidths.FullPrecision.IsFullPrecision);
        Assert.Equal("W32A32", BitWidths.FullPrecision.ToString());
        Assert.False(new BitWidths(32, 4).IsFullPrecision);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BitWidths(9, 4));
    }
}
