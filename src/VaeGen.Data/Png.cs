using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using VaeGen.Runtime.IO;

namespace VaeGen.Data;

/// <summary>
/// Reads and writes 8-bit, non-interlaced PNG images (grayscale, gray+alpha, RGB, RGBA) with
/// nothing but the BCL's zlib, so the runtime needs no imaging library.
/// </summary>
/// <remarks>
/// Reading validates the signature, every chunk's length and CRC-32, IHDR, that IDAT chunks are
/// consecutive, the zlib stream and its length, the row filters and the closing IEND. Palette,
/// 16-bit, sub-8-bit and interlaced images are rejected with a <see cref="DataFormatException"/>
/// that says how to save the file instead. Ancillary chunks (gamma, text, ...) are ignored.
/// Writing picks a filter per row and is deterministic for a given runtime.
/// </remarks>
public static class Png
{
    /// <summary>
    /// The most pixels <see cref="Read(string, long)"/> and <see cref="Decode"/> accept unless told
    /// otherwise: 8192 x 8192. Decoding allocates width x height x channels bytes that the file's
    /// header alone decides (a 1.5 MB file can claim 40000 x 40000, 6.4 GB as RGBA), so the size is
    /// checked before anything is inflated.
    /// </summary>
    public const long DefaultMaxPixels = 8192L * 8192;

    private const int MaxChunkLength = int.MaxValue;

    // The signature (8 bytes) and the IHDR chunk that must follow it (4 length, 4 type, 13 data, 4 CRC).
    private const int HeaderBytes = 8 + 4 + 4 + 13 + 4;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads a PNG file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxPixels">The largest width x height accepted; checked in the header, before decoding.</param>
    /// <exception cref="DataFormatException">The file is malformed, larger than <paramref name="maxPixels"/>, or a PNG variant that is not supported; the message names the file.</exception>
    public static ByteImage Read(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // The header first: a file that claims too many pixels is refused without reading the rest.
        RequireDecodable(ReadHeader(path), path, maxPixels);
        return Decode(File.ReadAllBytes(path), path, maxPixels);
    }

    /// <summary>
    /// Reads only the signature and the IHDR chunk of a PNG file (33 bytes) and validates them as
    /// <see cref="Read(string, long)"/> would: the size and channels of an image without decoding it,
    /// whatever its size (a caller compares the size with what it expects before it decodes).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="DataFormatException">The file does not start like a PNG this reader supports.</exception>
    public static PngHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Span<byte> start = stackalloc byte[HeaderBytes];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }

        ReadOnlySpan<byte> file = start[..read];
        RequireSignature(file, path);
        if (file.Length < HeaderBytes)
        {
            throw Error(path, $"truncated: the file has {Format.Bytes(file.Length)}, fewer than a PNG signature and its IHDR chunk");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(file.Slice(8));
        string type = ChunkType(file.Slice(12, 4), path, 8);
        if (type != "IHDR")
        {
            throw Error(path, $"the first chunk is '{type}', a PNG must start with IHDR");
        }

        if (length != 13)
        {
            throw Error(path, $"IHDR chunk has {Format.N(length)} bytes; it must have 13");
        }

        RequireCrc(file.Slice(8), 13, type, 8, path);
        return ParseHeader(file.Slice(16, 13), path);
    }

    /// <summary>Decodes a PNG held in memory.</summary>
    /// <param name="file">The file's bytes.</param>
    /// <param name="name">What to call the data in error messages, usually its path.</param>
    /// <param name="maxPixels">The largest width x height accepted; checked in the header, before anything is inflated.</param>
    /// <exception cref="DataFormatException">The data is malformed, larger than <paramref name="maxPixels"/>, or a PNG variant that is not supported.</exception>
    public static ByteImage Decode(ReadOnlySpan<byte> file, string name, long maxPixels = DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        RequireSignature(file, name);
        PngHeader? header = null;
        using var compressed = new MemoryStream();
        bool idatSeen = false, idatEnded = false, iendSeen = false;
        int pos = Signature.Length;
        while (pos < file.Length)
        {
            if (file.Length - pos < 12)
            {
                throw Error(name, $"truncated: {file.Length - pos} stray bytes at offset {pos} where a chunk (at least 12 bytes) should start");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.Slice(pos));
            ReadOnlySpan<byte> typeBytes = file.Slice(pos + 4, 4);
            string type = ChunkType(typeBytes, name, pos);
            if (length > MaxChunkLength)
            {
                throw Error(name, $"chunk '{type}' at offset {pos} declares {Format.N(length)} bytes, more than PNG allows (2^31 - 1)");
            }

            if (length > (long)file.Length - pos - 12)
            {
                throw Error(name, $"truncated: chunk '{type}' at offset {pos} declares {Format.N(length)} bytes but only {Format.N(Math.Max(0, file.Length - pos - 12))} follow");
            }

            ReadOnlySpan<byte> data = file.Slice(pos + 8, (int)length);
            RequireCrc(file.Slice(pos), (int)length, type, pos, name);

            if (header is null && type != "IHDR")
            {
                throw Error(name, $"the first chunk is '{type}', a PNG must start with IHDR");
            }

            switch (type)
            {
                case "IHDR":
                    if (header is not null)
                    {
                        throw Error(name, "more than one IHDR chunk");
                    }

                    header = ParseHeader(data, name);
                    RequireDecodable(header.Value, name, maxPixels);
                    break;
                case "IDAT":
                    if (idatEnded)
                    {
                        throw Error(name, $"IDAT chunk at offset {pos} is separated from the earlier IDAT chunks; they must be consecutive");
                    }

                    idatSeen = true;
                    compressed.Write(data);
                    break;
                case "IEND":
                    if (length != 0)
                    {
                        throw Error(name, $"IEND chunk has {Format.N(length)} bytes of data; it must be empty");
                    }

                    iendSeen = true;
                    break;
                case "PLTE":
                    // Only a suggested palette here, since palette images are rejected in IHDR.
                    break;
                default:
                    if (char.IsAsciiLetterUpper(type[0]))
                    {
                        throw Error(name, $"unknown critical chunk '{type}' at offset {pos}; it cannot be safely ignored");
                    }

                    break;
            }

            if (idatSeen && type != "IDAT")
            {
                idatEnded = true;
            }

            pos += 12 + (int)length;
            if (iendSeen)
            {
                break;
            }
        }

        if (header is null)
        {
            throw Error(name, "truncated: the file ends after the PNG signature");
        }

        if (!iendSeen)
        {
            throw Error(name, "truncated: the file ends without an IEND chunk");
        }

        if (pos != file.Length)
        {
            throw Error(name, $"{Format.Bytes(file.Length - pos)} of unexpected data after the IEND chunk");
        }

        if (!idatSeen)
        {
            throw Error(name, "no image data: the file has no IDAT chunk");
        }

        PngHeader h = header.Value;
        int stride = h.Width * h.Channels;
        byte[] raw = Inflate(compressed, (long)h.Height * (stride + 1), h, name);
        byte[] pixels = new byte[(long)h.Height * stride];
        Unfilter(raw, pixels, h.Height, stride, h.Channels, name);
        return new ByteImage(h.Width, h.Height, h.Channels, pixels);
    }

    /// <summary>Encodes an image as PNG: 8 bits per channel, colour type from the channel count, not interlaced.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The file's bytes.</returns>
    public static byte[] Encode(ByteImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var output = new MemoryStream();
        Encode(image, output);
        return output.ToArray();
    }

    /// <summary>Writes an image as a PNG file, atomically: a temporary file beside it is renamed over it when complete.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="image">The image.</param>
    public static void Write(string path, ByteImage image)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(image);
        AtomicFile.Write(path, stream => Encode(image, stream));
    }

    private static void Encode(ByteImage image, Stream output)
    {
        int bpp = image.Channels;
        int stride = image.Width * bpp;
        byte[] filtered = new byte[(long)image.Height * (stride + 1)];
        byte[] candidate = new byte[stride];
        byte[] best = new byte[stride];
        byte[] zeros = new byte[stride];
        for (int y = 0; y < image.Height; y++)
        {
            ReadOnlySpan<byte> row = image.Pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prev = y == 0 ? zeros : image.Pixels.AsSpan((y - 1) * stride, stride);

            // The usual heuristic (minimum sum of absolute signed residuals); the lowest filter
            // type wins ties, so the choice, and the file, depend only on the pixels.
            long bestScore = long.MaxValue;
            int bestFilter = 0;
            for (int f = 0; f <= 4; f++)
            {
                long score = Filter(f, row, prev, bpp, candidate);
                if (score < bestScore)
                {
                    bestScore = score;
                    bestFilter = f;
                    candidate.CopyTo(best, 0);
                }
            }

            long at = (long)y * (stride + 1);
            filtered[at] = (byte)bestFilter;
            best.CopyTo(filtered.AsSpan((int)at + 1, stride));
        }

        byte[] idat;
        using (var zlibData = new MemoryStream())
        {
            using (var zlib = new ZLibStream(zlibData, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                zlib.Write(filtered);
            }

            idat = zlibData.ToArray();
        }

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.Slice(4), image.Height);
        ihdr[8] = 8;
        ihdr[9] = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        ihdr[10] = 0;
        ihdr[11] = 0;
        ihdr[12] = 0;

        output.Write(Signature);
        WriteChunk(output, "IHDR"u8, ihdr);
        WriteChunk(output, "IDAT"u8, idat);
        WriteChunk(output, "IEND"u8, []);
    }

    private static long Filter(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prev, int bpp, Span<byte> output)
    {
        long score = 0;
        for (int x = 0; x < row.Length; x++)
        {
            int left = x >= bpp ? row[x - bpp] : 0;
            int up = prev[x];
            int upLeft = x >= bpp ? prev[x - bpp] : 0;
            int predicted = filter switch
            {
                0 => 0,
                1 => left,
                2 => up,
                3 => (left + up) >> 1,
                _ => Paeth(left, up, upLeft),
            };
            byte value = (byte)(row[x] - predicted);
            output[x] = value;
            score += Math.Abs((int)(sbyte)value);
        }

        return score;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(type), data));
        output.Write(word);
    }

    private static void RequireSignature(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < Signature.Length || !file.Slice(0, Signature.Length).SequenceEqual(Signature))
        {
            throw Error(name, "not a PNG file: the 8-byte PNG signature is missing");
        }
    }

    /// <summary>Checks the CRC-32 of the chunk that starts at <paramref name="chunk"/> (its length field) with <paramref name="length"/> data bytes.</summary>
    private static void RequireCrc(ReadOnlySpan<byte> chunk, int length, string type, int offset, string name)
    {
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(chunk.Slice(8 + length));
        uint actual = Crc32.Compute(chunk.Slice(4, 4 + length));
        if (stored != actual)
        {
            throw Error(name, $"CRC mismatch in chunk '{type}' at offset {offset} (stored {stored:x8}, computed {actual:x8}); the file is corrupt");
        }
    }

    private static PngHeader ParseHeader(ReadOnlySpan<byte> data, string name)
    {
        if (data.Length != 13)
        {
            throw Error(name, $"IHDR chunk has {data.Length} bytes; it must have 13");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4));
        int depth = data[8], colour = data[9], compression = data[10], filter = data[11], interlace = data[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw Error(name, $"invalid image size {width}x{height} in IHDR");
        }

        if (compression != 0 || filter != 0 || interlace > 1)
        {
            throw Error(name, $"invalid IHDR: compression method {compression}, filter method {filter}, interlace method {interlace} (must be 0, 0, 0 or 1)");
        }

        int channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0)
        {
            throw Error(name, $"invalid colour type {colour} in IHDR");
        }

        bool depthValid = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => depth is 8 or 16,
        };
        if (!depthValid)
        {
            throw Error(name, $"invalid bit depth {depth} for colour type {colour} in IHDR");
        }

        if (colour == 3)
        {
            throw Error(name, "palette (indexed-colour) PNG is not supported; save it as 8-bit RGB or grayscale");
        }

        if (depth != 8)
        {
            throw Error(name, $"{depth}-bit PNG is not supported; save it as 8-bit");
        }

        if (interlace != 0)
        {
            throw Error(name, "interlaced (Adam7) PNG is not supported; save it without interlacing");
        }

        return new PngHeader((int)width, (int)height, channels);
    }

    /// <summary>Refuses, before anything is allocated for it, an image larger than the caller's limit or than one array can hold.</summary>
    private static void RequireDecodable(PngHeader header, string name, long maxPixels)
    {
        long pixels = (long)header.Width * header.Height;
        if (pixels > maxPixels)
        {
            throw Error(name, $"the image is {header.Width}x{header.Height}, {Format.N(pixels)} pixels, more than the limit of {Format.N(maxPixels)} (the maxPixels argument)");
        }

        if ((long)header.Height * (((long)header.Width * header.Channels) + 1) > Array.MaxLength)
        {
            throw Error(name, $"a {header.Width}x{header.Height} {Format.Channels(header.Channels)} image is too large to decode into one array");
        }
    }

    private static byte[] Inflate(MemoryStream compressed, long expected, PngHeader h, string name)
    {
        byte[] raw = new byte[expected];
        compressed.Position = 0;
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        int got;
        int extra;
        try
        {
            got = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);

            // Reading past the end makes zlib reach the stream's end and check its Adler-32.
            Span<byte> probe = stackalloc byte[1];
            extra = zlib.Read(probe);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(name, "corrupt image data: the zlib stream in the IDAT chunks is invalid", e);
        }

        if (got < raw.Length)
        {
            throw Error(name, $"truncated image data: a {h.Width}x{h.Height} {Format.Channels(h.Channels)} image needs {Format.N(raw.Length)} bytes after decompression, the IDAT chunks hold {Format.N(got)}");
        }

        if (extra > 0)
        {
            throw Error(name, $"the IDAT chunks hold more data than a {h.Width}x{h.Height} {Format.Channels(h.Channels)} image needs");
        }

        return raw;
    }

    private static void Unfilter(byte[] raw, byte[] pixels, int height, int stride, int bpp, string name)
    {
        for (int y = 0; y < height; y++)
        {
            int filter = raw[(long)y * (stride + 1)];
            ReadOnlySpan<byte> src = raw.AsSpan((y * (stride + 1)) + 1, stride);
            Span<byte> row = pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prev = y == 0 ? default : pixels.AsSpan((y - 1) * stride, stride);
            switch (filter)
            {
                case 0:
                    src.CopyTo(row);
                    break;
                case 1:
                    for (int x = 0; x < stride; x++)
                    {
                        row[x] = (byte)(src[x] + (x >= bpp ? row[x - bpp] : 0));
                    }

                    break;
                case 2:
                    for (int x = 0; x < stride; x++)
                    {
                        row[x] = (byte)(src[x] + (y > 0 ? prev[x] : 0));
                    }

                    break;
                case 3:
                    for (int x = 0; x < stride; x++)
                    {
                        int left = x >= bpp ? row[x - bpp] : 0;
                        int up = y > 0 ? prev[x] : 0;
                        row[x] = (byte)(src[x] + ((left + up) >> 1));
                    }

                    break;
                case 4:
                    for (int x = 0; x < stride; x++)
                    {
                        int left = x >= bpp ? row[x - bpp] : 0;
                        int up = y > 0 ? prev[x] : 0;
                        int upLeft = y > 0 && x >= bpp ? prev[x - bpp] : 0;
                        row[x] = (byte)(src[x] + Paeth(left, up, upLeft));
                    }

                    break;
                default:
                    throw Error(name, $"row {y} has filter type {filter}; PNG defines 0 to 4");
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static string ChunkType(ReadOnlySpan<byte> bytes, string name, int offset)
    {
        foreach (byte b in bytes)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                throw Error(name, $"invalid chunk type {bytes[0]:x2} {bytes[1]:x2} {bytes[2]:x2} {bytes[3]:x2} at offset {offset}; the file is corrupt");
            }
        }

        return string.Create(4, bytes.ToArray(), static (span, b) =>
        {
            for (int i = 0; i < 4; i++)
            {
                span[i] = (char)b[i];
            }
        });
    }

    private static DataFormatException Error(string name, string problem) => new(name, problem, null);

}

/// <summary>What a PNG's IHDR chunk says about the image: its size and 8-bit channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Channels">Channels per pixel.</param>
public readonly record struct PngHeader(int Width, int Height, int Channels);
