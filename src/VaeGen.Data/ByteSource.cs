using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace VaeGen.Data;

/// <summary>
/// The bytes of a file that may be gzipped (recognised by its magic bytes 1f 8b, not by its name),
/// read front to back. For gzip it checks what <see cref="GZipStream"/> does not: the trailer's
/// CRC-32 and length, so a truncated file or trailing junk is reported instead of silently read short.
/// </summary>
internal sealed class ByteSource : IDisposable
{
    private const int FlagHeaderCrc = 2;
    private const int FlagExtra = 4;
    private const int FlagName = 8;
    private const int FlagComment = 16;

    private readonly string _path;
    private readonly Stream _stream;
    private readonly uint _trailerCrc;
    private readonly uint _trailerSize;
    private uint _crc;
    private bool _ended;

    private ByteSource(string path, Stream stream, long? rawLength, bool isGzip, uint trailerCrc, uint trailerSize)
    {
        _path = path;
        _stream = stream;
        RawLength = rawLength;
        IsGzip = isGzip;
        _trailerCrc = trailerCrc;
        _trailerSize = trailerSize;
    }

    /// <summary>Whether the file is gzipped.</summary>
    public bool IsGzip { get; }

    /// <summary>The file's length when it is not gzipped, so callers can check sizes before allocating.</summary>
    public long? RawLength { get; }

    /// <summary>How many (decompressed) bytes have been read so far.</summary>
    public long Position { get; private set; }

    /// <summary>Opens <paramref name="path"/>, reading it whole when it is gzipped.</summary>
    public static ByteSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            if (got < 2 || magic[0] != 0x1F || magic[1] != 0x8B)
            {
                file.Position = 0;
                return new ByteSource(path, file, file.Length, isGzip: false, 0, 0);
            }

            // The whole compressed file is needed anyway to find the trailer at its end, and
            // compressed IDX data is small next to the pixels it expands to.
            long length = file.Length;
            if (length > Array.MaxLength)
            {
                throw new DataFormatException(path, $"gzip file of {Format.N(length)} bytes is too large to read", null);
            }

            byte[] compressed = new byte[length];
            file.Position = 0;
            file.ReadExactly(compressed);
            file.Dispose();
            return OpenGzip(path, compressed);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the data ends; returns the count read.</summary>
    public int ReadAtMost(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length && !_ended)
        {
            int n;
            try
            {
                n = _stream.Read(buffer.Slice(total));
            }
            catch (InvalidDataException e)
            {
                // zlib's own message ("unsupported compression method") misleads here.
                throw new DataFormatException(
                    _path, $"corrupt gzip data: the compressed stream is invalid after {Format.N(Position)} decompressed bytes", e);
            }

            if (n == 0)
            {
                _ended = true;
                break;
            }

            if (IsGzip)
            {
                _crc = Crc32.Append(_crc, buffer.Slice(total, n));
            }

            total += n;
            Position += n;
        }

        return total;
    }

    /// <summary>Reads to the end and returns how many bytes were left.</summary>
    public long Drain()
    {
        Span<byte> scratch = stackalloc byte[4096];
        long count = 0;
        int n;
        while ((n = ReadAtMost(scratch)) > 0)
        {
            count += n;
        }

        return count;
    }

    /// <summary>
    /// After the data has been read to its end: null when the gzip trailer matches what was
    /// decompressed (or the file is not gzipped), else what does not match.
    /// </summary>
    public string? GzipTrailerProblem()
    {
        if (!IsGzip)
        {
            return null;
        }

        if (!_ended)
        {
            throw new InvalidOperationException("The gzip trailer can only be checked after reading to the end.");
        }

        if (_crc == _trailerCrc && (uint)Position == _trailerSize)
        {
            return null;
        }

        return $"the gzip trailer (CRC-32 {_trailerCrc:x8}, {Format.N(_trailerSize)} bytes) does not match the " +
               $"{Format.N(Position)} bytes that decompress (CRC-32 {_crc:x8}); the file is truncated, corrupt or has data appended";
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private static ByteSource OpenGzip(string path, byte[] data)
    {
        // RFC 1952: 10-byte header, optional fields, deflate data, CRC-32 and size (mod 2^32).
        const int minimum = 10 + 2 + 8;
        if (data.Length < minimum)
        {
            throw new DataFormatException(
                path, $"truncated gzip file: it holds {Format.N(data.Length)} bytes, a gzip file needs at least {minimum}", null);
        }

        if (data[2] != 8)
        {
            throw new DataFormatException(path, $"gzip compression method {data[2]} is not deflate (8)", null);
        }

        int flags = data[3];
        if ((flags & 0xE0) != 0)
        {
            throw new DataFormatException(path, $"corrupt gzip header: reserved flag bits are set (flags 0x{flags:x2})", null);
        }

        int pos = 10;
        int end = data.Length - 8;
        if ((flags & FlagExtra) != 0)
        {
            pos = pos + 2 <= end ? pos + 2 + BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(pos)) : int.MaxValue;
        }

        if ((flags & FlagName) != 0)
        {
            pos = SkipZeroTerminated(data, pos, end);
        }

        if ((flags & FlagComment) != 0)
        {
            pos = SkipZeroTerminated(data, pos, end);
        }

        if ((flags & FlagHeaderCrc) != 0 && pos <= end - 2)
        {
            ushort stored = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(pos));
            ushort actual = (ushort)Crc32.Compute(data.AsSpan(0, pos));
            if (stored != actual)
            {
                throw new DataFormatException(path, "corrupt gzip header: its CRC-16 does not match", null);
            }

            pos += 2;
        }

        if (pos > end)
        {
            throw new DataFormatException(path, "truncated gzip file: it ends inside the gzip header", null);
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(end));
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(end + 4));
        var deflate = new DeflateStream(new MemoryStream(data, pos, end - pos, writable: false), CompressionMode.Decompress);
        return new ByteSource(path, deflate, null, isGzip: true, crc, size);
    }

    private static int SkipZeroTerminated(byte[] data, int pos, int end)
    {
        if (pos >= end)
        {
            return int.MaxValue;
        }

        int zero = Array.IndexOf(data, (byte)0, pos, end - pos);
        return zero < 0 ? int.MaxValue : zero + 1;
    }
}
