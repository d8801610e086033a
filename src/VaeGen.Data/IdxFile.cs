using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using VaeGen.Runtime.IO;

namespace VaeGen.Data;

/// <summary>
/// Reads and writes IDX files, the format of MNIST and Fashion-MNIST: big-endian magic
/// <c>00 00 type rank</c>, <c>rank</c> big-endian uint32 dimensions, then the elements.
/// Only unsigned bytes (type 0x08) are supported: images are rank 3 (magic 0x00000803), labels rank 1 (0x00000801).
/// </summary>
/// <remarks>
/// Files may be raw or gzipped; gzip is recognised by its magic bytes, not by the file name.
/// Everything is validated (magic, type, rank, dimensions, exact payload length, gzip CRC and
/// length); any problem throws <see cref="DataFormatException"/> naming the file.
/// </remarks>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an image file (rank 3: count, rows, cols).</summary>
    /// <param name="path">The file, raw or gzipped.</param>
    /// <exception cref="DataFormatException">The file is not a valid unsigned-byte rank-3 IDX file.</exception>
    public static IdxImages LoadImages(string path)
    {
        (int[] dims, byte[] data) = Read(path, 3, "an image file (rank 3: count, rows, cols)");
        return new IdxImages(dims[0], dims[1], dims[2], data);
    }

    /// <summary>Reads a label file (rank 1: count).</summary>
    /// <param name="path">The file, raw or gzipped.</param>
    /// <returns>One byte per label.</returns>
    /// <exception cref="DataFormatException">The file is not a valid unsigned-byte rank-1 IDX file.</exception>
    public static byte[] LoadLabels(string path) => Read(path, 1, "a label file (rank 1: count)").Data;

    /// <summary>Writes images as a rank-3 IDX file, atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="images">The images.</param>
    /// <param name="gzip">Whether to gzip the file (as the distributed MNIST files are).</param>
    public static void WriteImages(string path, IdxImages images, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(images);
        Write(path, [images.Count, images.Rows, images.Cols], images.Pixels, gzip);
    }

    /// <summary>Writes labels as a rank-1 IDX file, atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="labels">The labels.</param>
    /// <param name="gzip">Whether to gzip the file.</param>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip) =>
        Write(path, [labels.Length], labels.ToArray(), gzip);

    private static void Write(string path, int[] dims, byte[] data, bool gzip)
    {
        byte[] header = new byte[4 + (4 * dims.Length)];
        header[2] = UnsignedByte;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + (4 * i)), (uint)dims[i]);
        }

        AtomicFile.Write(path, stream =>
        {
            if (gzip)
            {
                using var compressed = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                compressed.Write(header);
                compressed.Write(data);
            }
            else
            {
                stream.Write(header);
                stream.Write(data);
            }
        });
    }

    private static (int[] Dims, byte[] Data) Read(string path, int rank, string expected)
    {
        using ByteSource source = ByteSource.Open(path);
        string decompressed = source.IsGzip ? " after decompression" : string.Empty;

        Span<byte> header = stackalloc byte[4 + (4 * 255)];
        int got = source.ReadAtMost(header.Slice(0, 4));
        if (got < 4)
        {
            throw Truncated(path, source, $"truncated header: the file holds {got} bytes{decompressed}, an IDX header needs at least 4");
        }

        if (header[0] != 0 || header[1] != 0)
        {
            throw new DataFormatException(
                path, $"not an IDX file: it starts with {header[0]:x2} {header[1]:x2} {header[2]:x2} {header[3]:x2}{decompressed}, an IDX file starts with 00 00", null);
        }

        if (header[2] != UnsignedByte)
        {
            throw new DataFormatException(
                path, $"IDX element type 0x{header[2]:x2} ({TypeName(header[2])}) is not supported; only unsigned bytes (0x08) are", null);
        }

        int fileRank = header[3];
        int headerLength = 4 + (4 * fileRank);
        got += source.ReadAtMost(header.Slice(4, headerLength - 4));
        if (got < headerLength)
        {
            throw Truncated(
                path, source, $"truncated header: the file holds {got} bytes{decompressed}, a rank-{fileRank} IDX header needs {headerLength}");
        }

        var dims = new long[fileRank];
        for (int i = 0; i < fileRank; i++)
        {
            dims[i] = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 + (4 * i)));
        }

        if (fileRank != rank)
        {
            string hint = fileRank == 1 ? "; is this a label file?" : fileRank == 3 ? "; is this an image file?" : string.Empty;
            throw new DataFormatException(
                path, $"expected {expected} but the header has rank {fileRank} {DimsText(dims)}{hint}", null);
        }

        long length = 1;
        for (int i = 0; i < fileRank; i++)
        {
            if (dims[i] == 0)
            {
                throw new DataFormatException(path, $"dimension {i} of {DimsText(dims)} is 0; every dimension must be positive", null);
            }

            length *= dims[i];
            if (length > Array.MaxLength)
            {
                throw new DataFormatException(
                    path, $"dimensions {DimsText(dims)} describe more than {Format.N(Array.MaxLength)} bytes, too many for one array", null);
            }
        }

        string described = Describe(dims, length);
        if (source.RawLength is long fileLength && fileLength - headerLength < length)
        {
            // Checked before allocating, so a corrupt header cannot make us allocate gigabytes.
            throw new DataFormatException(
                path, $"truncated: header says {described} but the file holds only {Format.N(fileLength - headerLength)} after its {headerLength}-byte header", null);
        }

        byte[] data = new byte[length];
        int payload = source.ReadAtMost(data);
        if (payload < length)
        {
            throw Truncated(
                path, source, $"truncated: header says {described} but the file holds only {Format.N(payload)}{decompressed} after its {headerLength}-byte header");
        }

        long trailing = source.Drain();
        string? gzipProblem = source.GzipTrailerProblem();
        if (gzipProblem is not null)
        {
            throw new DataFormatException(path, "corrupt gzip file: " + gzipProblem, null);
        }

        if (trailing > 0)
        {
            throw new DataFormatException(
                path, $"{Format.Bytes(trailing)} of unexpected data after the {described} the header describes{(source.IsGzip ? " (counted after decompression)" : string.Empty)}", null);
        }

        var result = new int[fileRank];
        for (int i = 0; i < fileRank; i++)
        {
            result[i] = (int)dims[i];
        }

        return (result, data);
    }

    /// <summary>A truncation error; for gzip the trailer is checked too, as a cut-short stream is the likely cause.</summary>
    private static DataFormatException Truncated(string path, ByteSource source, string problem)
    {
        string? gzipProblem = source.IsGzip ? source.GzipTrailerProblem() : null;
        return new DataFormatException(path, gzipProblem is null ? problem : $"{problem} ({gzipProblem})", null);
    }

    private static string Describe(long[] dims, long bytes) => dims.Length switch
    {
        3 => $"{Format.N(dims[0])} images of {dims[1]}x{dims[2]} ({Format.N(bytes)} bytes)",
        1 => $"{Format.N(dims[0])} labels ({Format.N(bytes)} bytes)",
        _ => $"{DimsText(dims)} ({Format.N(bytes)} bytes)",
    };

    private static string DimsText(long[] dims) => "[" + string.Join(", ", dims) + "]";

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };
}
