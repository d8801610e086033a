using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using VaeGen.Data;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Data.Tests;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-idx-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsRoundTrip(bool gzip)
    {
        byte[] pixels = new byte[3 * 4 * 5];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * 7) + 3);
        }

        string images = Path.Combine(_temp.Path, "images.idx");
        string labels = Path.Combine(_temp.Path, "labels.idx");
        IdxFile.WriteImages(images, new IdxImages(3, 4, 5, pixels), gzip);
        IdxFile.WriteLabels(labels, new byte[] { 9, 0, 4 }, gzip);

        Assert.Equal(gzip, File.ReadAllBytes(images)[0] == 0x1F);
        IdxImages read = IdxFile.LoadImages(images);
        Assert.Equal((3, 4, 5), (read.Count, read.Rows, read.Cols));
        Assert.Equal(pixels, read.Pixels);
        Assert.Equal(pixels.AsSpan(20, 20).ToArray(), read.Image(1).ToArray());
        Assert.Equal(new byte[] { 9, 0, 4 }, IdxFile.LoadLabels(labels));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void GzipIsRecognisedByContentNotName()
    {
        // A gzipped file without .gz and a raw file with .gz both load.
        string gz = Path.Combine(_temp.Path, "labels.raw");
        string raw = Path.Combine(_temp.Path, "labels.gz");
        IdxFile.WriteLabels(gz, new byte[] { 1, 2 }, gzip: true);
        IdxFile.WriteLabels(raw, new byte[] { 1, 2 }, gzip: false);
        Assert.Equal(new byte[] { 1, 2 }, IdxFile.LoadLabels(gz));
        Assert.Equal(new byte[] { 1, 2 }, IdxFile.LoadLabels(raw));
    }

    [Fact]
    public void GzipWithNameAndHeaderCrcFieldsLoads()
    {
        // Fields GZipStream never writes but other tools do: FNAME, FCOMMENT, FEXTRA, FHCRC.
        byte[] idx = Idx(0x08, [2], [7, 8]);
        byte[] deflated;
        using (var ms = new MemoryStream())
        {
            using (var d = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            {
                d.Write(idx);
            }

            deflated = ms.ToArray();
        }

        using var file = new MemoryStream();
        file.Write([0x1F, 0x8B, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3]);
        file.Write([3, 0, (byte)'a', (byte)'b', (byte)'c']);
        file.Write("labels.idx\0"u8);
        file.Write("a comment\0"u8);
        ushort headerCrc = (ushort)Crc32.Compute(file.ToArray());
        file.Write([(byte)headerCrc, (byte)(headerCrc >> 8)]);
        file.Write(deflated);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.Compute(idx));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.Slice(4), (uint)idx.Length);
        file.Write(trailer);
        string path = Write("fields.gz", file.ToArray());
        Assert.Equal(new byte[] { 7, 8 }, IdxFile.LoadLabels(path));
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        byte[] data = new byte[1000];
        new Random(5).NextBytes(data);
        Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
    }

    [Fact]
    public void TruncatedHeader()
    {
        string path = Write("short.idx", [0, 0, 8]);
        AssertBad(() => IdxFile.LoadLabels(path), path, "truncated header: the file holds 3 bytes, an IDX header needs at least 4");

        string dims = Write("dims.idx", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0]);
        AssertBad(() => IdxFile.LoadImages(dims), dims, "truncated header: the file holds 10 bytes, a rank-3 IDX header needs 16");
    }

    [Fact]
    public void TruncatedPayloadSaysWhatTheHeaderPromised()
    {
        byte[] full = Idx(0x08, [60000, 28, 28], new byte[1234]);
        string path = Write("x.idx", full);
        AssertBad(() => IdxFile.LoadImages(path), path,
            "truncated: header says 60,000 images of 28x28 (47,040,000 bytes) but the file holds only 1,234 after its 16-byte header");
    }

    [Fact]
    public void TruncatedGzipReportsTheShortPayloadAndTheTrailer()
    {
        string path = Path.Combine(_temp.Path, "x.idx.gz");
        IdxFile.WriteImages(path, new IdxImages(50, 8, 8, Noise(50 * 64)), gzip: true);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole.AsSpan(0, whole.Length / 2).ToArray());
        DataFormatException e = AssertBad(() => IdxFile.LoadImages(path), path, "truncated: header says 50 images of 8x8 (3,200 bytes) but the file holds only ");
        Assert.Contains("after decompression", e.Message, StringComparison.Ordinal);
        Assert.Contains("gzip trailer", e.Message, StringComparison.Ordinal);

        // A damaged trailer: all data decompresses, only the CRC check can notice.
        whole[^8] ^= 1;
        File.WriteAllBytes(path, whole);
        AssertBad(() => IdxFile.LoadImages(path), path, "corrupt gzip file: the gzip trailer");
    }

    [Fact]
    public void CorruptGzip()
    {
        string path = Path.Combine(_temp.Path, "x.idx.gz");
        IdxFile.WriteImages(path, new IdxImages(50, 8, 8, Noise(50 * 64)), gzip: true);
        byte[] bytes = File.ReadAllBytes(path);

        // A flipped bit in the deflate data is either invalid deflate or caught by the CRC.
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        DataFormatException e = Assert.Throws<DataFormatException>(() => IdxFile.LoadImages(path));
        Assert.StartsWith(path + ": corrupt gzip ", e.Message, StringComparison.Ordinal);

        string method = Write("method.gz", [0x1F, 0x8B, 7, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        AssertBad(() => IdxFile.LoadImages(method), method, "gzip compression method 7 is not deflate (8)");

        string tiny = Write("tiny.gz", [0x1F, 0x8B, 8, 0]);
        AssertBad(() => IdxFile.LoadImages(tiny), tiny, "truncated gzip file: it holds 4 bytes");
    }

    [Fact]
    public void DataAppendedAfterGzipIsRejected()
    {
        string path = Path.Combine(_temp.Path, "x.idx.gz");
        IdxFile.WriteLabels(path, new byte[] { 1, 2, 3 }, gzip: true);
        File.AppendAllText(path, "junk");
        AssertBad(() => IdxFile.LoadLabels(path), path, "corrupt gzip file: the gzip trailer");
    }

    [Fact]
    public void TrailingBytesAfterThePayload()
    {
        string raw = Write("x.idx", Idx(0x08, [3], [1, 2, 3, 4, 5]));
        AssertBad(() => IdxFile.LoadLabels(raw), raw, "2 bytes of unexpected data after the 3 labels (3 bytes) the header describes");

        string gz = Path.Combine(_temp.Path, "x.idx.gz");
        File.WriteAllBytes(gz, Gzip(Idx(0x08, [3], [1, 2, 3, 4])));
        AssertBad(() => IdxFile.LoadLabels(gz), gz, "1 byte of unexpected data after the 3 labels (3 bytes) the header describes (counted after decompression)");
    }

    [Fact]
    public void BadMagicTypeAndRank()
    {
        string png = Write("x.png", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0]);
        AssertBad(() => IdxFile.LoadImages(png), png, "not an IDX file: it starts with 89 50 4e 47, an IDX file starts with 00 00");

        string floats = Write("f.idx", Idx(0x0D, [1], [0, 0, 0, 0]));
        AssertBad(() => IdxFile.LoadLabels(floats), floats, "IDX element type 0x0d (float32) is not supported; only unsigned bytes (0x08) are");

        string labels = Write("labels.idx", Idx(0x08, [2], [0, 1]));
        AssertBad(() => IdxFile.LoadImages(labels), labels,
            "expected an image file (rank 3: count, rows, cols) but the header has rank 1 [2]; is this a label file?");

        string images = Write("images.idx", Idx(0x08, [1, 1, 1], [0]));
        AssertBad(() => IdxFile.LoadLabels(images), images,
            "expected a label file (rank 1: count) but the header has rank 3 [1, 1, 1]; is this an image file?");
    }

    [Fact]
    public void WrongDimensions()
    {
        string zero = Write("zero.idx", Idx(0x08, [10, 0, 28], []));
        AssertBad(() => IdxFile.LoadImages(zero), zero, "dimension 1 of [10, 0, 28] is 0; every dimension must be positive");

        string huge = Write("huge.idx", Idx(0x08, [0xFFFFFFFF, 28, 28], []));
        AssertBad(() => IdxFile.LoadImages(huge), huge, "dimensions [4294967295, 28, 28] describe more than");

        // Plausible dimensions that disagree with the data are caught as truncation.
        string wrong = Write("wrong.idx", Idx(0x08, [2, 28, 29], new byte[2 * 28 * 28]));
        AssertBad(() => IdxFile.LoadImages(wrong), wrong, "truncated: header says 2 images of 28x29 (1,624 bytes) but the file holds only 1,568");
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => IdxFile.LoadLabels(Path.Combine(_temp.Path, "absent.idx")));
    }

    internal static byte[] Idx(byte type, uint[] dims, byte[] payload)
    {
        byte[] bytes = new byte[4 + (4 * dims.Length) + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        }

        payload.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    private static byte[] Noise(int length)
    {
        byte[] b = new byte[length];
        new Random(1).NextBytes(b);
        return b;
    }

    private static DataFormatException AssertBad(Func<object> load, string path, string problem)
    {
        DataFormatException e = Assert.Throws<DataFormatException>(load);
        Assert.StartsWith($"{path}: {problem}", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
