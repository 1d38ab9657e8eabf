using System.Globalization;
using System.Text;

namespace Sweeps.Monitoring;

/// <summary>
/// A growable UTF-8 buffer that is reused from one scrape to the next, so that a scrape of hundreds of
/// kilobytes allocates nothing on the large-object heap once it has grown. Not thread-safe.
/// </summary>
internal sealed class Utf8TextBuffer
{
    private byte[] data = new byte[64 * 1024];

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Written => data.AsSpan(0, Length);

    /// <summary>Number of bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>Forgets the content (keeps the memory).</summary>
    public void Clear() => Length = 0;

    /// <summary>Appends a string, UTF-8 encoded.</summary>
    public Utf8TextBuffer Append(string text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        Length += Encoding.UTF8.GetBytes(text, data.AsSpan(Length));
        return this;
    }

    /// <summary>Appends UTF-8 bytes.</summary>
    public Utf8TextBuffer Append(ReadOnlySpan<byte> utf8)
    {
        Ensure(utf8.Length);
        utf8.CopyTo(data.AsSpan(Length));
        Length += utf8.Length;
        return this;
    }

    /// <summary>Appends one ASCII character.</summary>
    public Utf8TextBuffer Append(char ascii)
    {
        Ensure(1);
        data[Length++] = (byte)ascii;
        return this;
    }

    /// <summary>Appends an integer in invariant culture.</summary>
    public Utf8TextBuffer Append(long value)
    {
        Ensure(20);
        value.TryFormat(data.AsSpan(Length), out var written, default, CultureInfo.InvariantCulture);
        Length += written;
        return this;
    }

    /// <summary>Appends a sample value as Prometheus parses it: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> or the shortest round-trip form.</summary>
    public Utf8TextBuffer Append(double value)
    {
        if (double.IsNaN(value))
        {
            return Append("NaN"u8);
        }

        if (double.IsInfinity(value))
        {
            return Append(value > 0 ? "+Inf"u8 : "-Inf"u8);
        }

        Ensure(32);
        value.TryFormat(data.AsSpan(Length), out var written, "R", CultureInfo.InvariantCulture);
        Length += written;
        return this;
    }

    private void Ensure(int more)
    {
        if (Length + more > data.Length)
        {
            Array.Resize(ref data, Math.Max(data.Length * 2, Length + more));
        }
    }
}
