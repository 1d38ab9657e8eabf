namespace Sweeps.Training.Data;

/// <summary>
/// A read-only stream over a file's bytes whose position never leaves [0, length]: what StbImageSharp reads images
/// from. StbImageSharp 2.30.16 skips a JPEG segment by seeking, and a <see cref="MemoryStream"/> (or a file) lets it
/// seek past the end; it then never sees the end of the data and loops for ever on a truncated file (a 7-byte JPEG
/// whose first segment claims 256 bytes hangs it). Clamped, the seek lands on the end and the decoder reports the
/// file as corrupt. Truncating and corrupting test images at every length found no other hang.
/// </summary>
internal sealed class BoundedImageStream(byte[] data) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, data.Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, data.Length - _position);
        if (count <= 0)
        {
            return 0;
        }

        data.AsSpan((int)_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => data.Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
