using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using VaeGen.Data;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Data.Tests;

public sealed class PngTests : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-png-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 1)]
    [InlineData(13, 9, 2)]
    [InlineData(6, 11, 3)]
    [InlineData(64, 64, 3)]
    [InlineData(5, 3, 4)]
    public void EncodeDecodeRoundTrips(int width, int height, int channels)
    {
        ByteImage image = Mixed(width, height, channels);
        byte[] file = Png.Encode(image);
        ByteImage back = Png.Decode(file, "memory.png");
        Assert.Equal((width, height, channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(image.Pixels, back.Pixels);
        Assert.Equal(file, Png.Encode(image));
    }

    [Fact]
    public void WriteIsAtomicAndReplacesTheFile()
    {
        string path = Path.Combine(_temp.Path, "out.png");
        File.WriteAllText(path, "old");
        ByteImage image = Mixed(8, 4, 3);
        Png.Write(path, image);
        Assert.Equal(image.Pixels, Png.Read(path).Pixels);
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Theory]
    [InlineData("python_gray_7x6.png", 7, 6, 1)]
    [InlineData("python_rgb_5x7.png", 5, 7, 3)]
    [InlineData("python_rgba_4x5.png", 4, 5, 4)]
    [InlineData("python_gray_alpha_3x6.png", 3, 6, 2)]
    public void DecodesFilesWrittenByPython(string name, int width, int height, int channels)
    {
        // tools/data/make_png_fixtures.py: row y uses filter y % 5; the RGB file has a tEXt chunk,
        // the RGBA file splits its data over three IDAT chunks.
        ByteImage image = Png.Read(Fixture(name));
        Assert.Equal((width, height, channels), (image.Width, image.Height, image.Channels));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    Assert.Equal(PythonPixel(x, y, c), image.Pixels[(((y * width) + x) * channels) + c]);
                }
            }
        }
    }

    [Theory]
    [InlineData("python_gray16_2x2.png", "16-bit PNG is not supported; save it as 8-bit")]
    [InlineData("python_interlaced_1x1.png", "interlaced (Adam7) PNG is not supported; save it without interlacing")]
    [InlineData("python_palette_2x2.png", "palette (indexed-colour) PNG is not supported; save it as 8-bit RGB or grayscale")]
    public void RejectsUnsupportedVariantsSayingWhatToDo(string name, string problem)
    {
        string path = Fixture(name);
        AssertBad(() => Png.Read(path), path, problem);
    }

    [Fact]
    public void RejectsCrcMismatch()
    {
        byte[] file = Png.Encode(Mixed(8, 8, 3));
        file[Find(file, "IDAT") + 10] ^= 0x40;
        AssertBad(() => Png.Decode(file, "photo.png"), "photo.png", "CRC mismatch in chunk 'IDAT' at offset 33");
    }

    [Fact]
    public void RejectsTruncatedFiles()
    {
        byte[] file = Png.Encode(Mixed(8, 8, 3));
        AssertBad(() => Png.Decode(file.AsSpan(0, file.Length - 20), "cut.png"), "cut.png", "truncated: chunk 'IDAT' at offset 33 declares ");
        AssertBad(() => Png.Decode(file.AsSpan(0, file.Length - 12), "cut.png"), "cut.png", "truncated: the file ends without an IEND chunk");
        AssertBad(() => Png.Decode(file.AsSpan(0, file.Length - 5), "cut.png"), "cut.png", "truncated: 7 stray bytes at offset");
        AssertBad(() => Png.Decode(file.AsSpan(0, 8), "cut.png"), "cut.png", "truncated: the file ends after the PNG signature");
        AssertBad(() => Png.Decode(file.AsSpan(0, 5), "cut.png"), "cut.png", "not a PNG file");
    }

    [Fact]
    public void RejectsMalformedStructure()
    {
        ByteImage image = Mixed(4, 4, 1);
        byte[] ihdr = Chunk(Png.Encode(image), "IHDR");
        byte[] idat = Chunk(Png.Encode(image), "IDAT");
        byte[] iend = Chunk(Png.Encode(image), "IEND");
        byte[] text = MakeChunk("tEXt", "k\0v"u8);

        byte[] split = Concat(Sig, ihdr, Half(idat, first: true), text, Half(idat, first: false), iend);
        AssertBad(() => Png.Decode(split, "a.png"), "a.png", "IDAT chunk at offset");

        byte[] consecutive = Concat(Sig, ihdr, text, Half(idat, first: true), Half(idat, first: false), iend);
        Assert.Equal(image.Pixels, Png.Decode(consecutive, "ok.png").Pixels);

        AssertBad(() => Png.Decode(Concat(Sig, ihdr, idat, iend, [0]), "a.png"), "a.png", "1 byte of unexpected data after the IEND chunk");
        AssertBad(() => Png.Decode(Concat(Sig, idat, ihdr, iend), "a.png"), "a.png", "the first chunk is 'IDAT', a PNG must start with IHDR");
        AssertBad(() => Png.Decode(Concat(Sig, ihdr, iend), "a.png"), "a.png", "no image data: the file has no IDAT chunk");
        AssertBad(() => Png.Decode(Concat(Sig, ihdr, MakeChunk("ZZZZ", []), idat, iend), "a.png"), "a.png", "unknown critical chunk 'ZZZZ'");
        AssertBad(() => Png.Decode(Concat(Sig, ihdr, MakeChunk("IDAT", "not zlib"u8), iend), "a.png"), "a.png", "corrupt image data");

        byte[] badSize = (byte[])ihdr.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(badSize.AsSpan(8), 0);
        AssertBad(() => Png.Decode(Concat(Sig, Recrc(badSize), idat, iend), "a.png"), "a.png", "invalid image size 0x4 in IHDR");

        byte[] badColour = (byte[])ihdr.Clone();
        badColour[17] = 5;
        AssertBad(() => Png.Decode(Concat(Sig, Recrc(badColour), idat, iend), "a.png"), "a.png", "invalid colour type 5 in IHDR");
    }

    [Fact]
    public void ReadHeaderGivesTheSizeFromTheFirst33BytesAndValidatesThem()
    {
        byte[] file = Png.Encode(Mixed(6, 5, 3));
        string path = _temp.File("photo.png");
        File.WriteAllBytes(path, file);
        Assert.Equal(new PngHeader(6, 5, 3), Png.ReadHeader(path));

        // Only the header is read: a file cut right after IHDR still has a readable header, and the
        // full reader is what reports the missing data.
        File.WriteAllBytes(path, file.AsSpan(0, 33).ToArray());
        Assert.Equal(new PngHeader(6, 5, 3), Png.ReadHeader(path));
        AssertBad(() => Png.Read(path), path, "truncated: the file ends without an IEND chunk");

        File.WriteAllBytes(path, file.AsSpan(0, 20).ToArray());
        AssertBad(() => Png.ReadHeader(path), path, "truncated: the file has 20 bytes, fewer than a PNG signature and its IHDR chunk");
        File.WriteAllBytes(path, "GIF89a"u8.ToArray());
        AssertBad(() => Png.ReadHeader(path), path, "not a PNG file");
        byte[] corrupt = (byte[])file.Clone();
        corrupt[18] ^= 1;
        File.WriteAllBytes(path, corrupt);
        AssertBad(() => Png.ReadHeader(path), path, "CRC mismatch in chunk 'IHDR' at offset 8");
    }

    [Fact]
    public void AnImageLargerThanTheLimitIsRefusedBeforeAnythingIsInflated()
    {
        // 40000 x 40000 RGBA would be 6.4 GB decoded; the file claims it with a valid header and a
        // few bytes of (wrong) image data, so only a check of the header can refuse it cheaply.
        byte[] file = Claiming(40000, 40000);
        string path = _temp.File("huge.png");
        File.WriteAllBytes(path, file);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        AssertBad(() => Png.Read(path), path, "the image is 40000x40000, 1,600,000,000 pixels, more than the limit of 67,108,864");
        AssertBad(() => Png.Decode(file, "huge.png"), "huge.png", "the image is 40000x40000, 1,600,000,000 pixels, more than the limit of 67,108,864");
        Assert.Equal(new PngHeader(40000, 40000, 4), Png.ReadHeader(path));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 1 << 20, "refusing the image must not allocate its pixels");

        // The limit is the caller's: at the limit the reader goes on (and finds this file's image data
        // missing), one pixel below it refuses.
        File.WriteAllBytes(path, Claiming(100, 90));
        AssertBad(() => Png.Read(path, maxPixels: 8999), path, "the image is 100x90, 9,000 pixels, more than the limit of 8,999");
        AssertBad(() => Png.Read(path, maxPixels: 9000), path, "truncated image data");
    }

    [Fact]
    public void RejectsWrongAmountOfImageDataAndBadFilters()
    {
        byte[] ihdr = Chunk(Png.Encode(Mixed(4, 4, 1)), "IHDR");
        byte[] iend = MakeChunk("IEND", []);

        byte[] rows = new byte[4 * 5];
        AssertBad(() => Png.Decode(Concat(Sig, ihdr, MakeChunk("IDAT", Zlib(rows.AsSpan(0, 17))), iend), "a.png"), "a.png",
            "truncated image data: a 4x4 grayscale image needs 20 bytes after decompression, the IDAT chunks hold 17");
        AssertBad(() => Png.Decode(Concat(Sig, ihdr, MakeChunk("IDAT", Zlib(new byte[21])), iend), "a.png"), "a.png",
            "the IDAT chunks hold more data than a 4x4 grayscale image needs");

        rows[10] = 7;
        AssertBad(() => Png.Decode(Concat(Sig, ihdr, MakeChunk("IDAT", Zlib(rows)), iend), "a.png"), "a.png",
            "row 2 has filter type 7; PNG defines 0 to 4");
    }

    [Fact]
    public void GridTilesClampsAndPads()
    {
        // Three 2x2 gray images on a 2-column grid with 1 pixel of padding: 7 x 7 pixels.
        var images = new Tensor(
            [
                0f, 1f, 0.5f, 2f,
                -1f, float.NaN, 0.25f, 0.75f,
                1f, 1f, 1f, 1f,
            ],
            3, 1, 2, 2);
        ByteImage grid = ImageGrid.Render(images, InputLayout.Nchw, 0f, 1f, columns: 2, padding: 1, padValue: 9);
        Assert.Equal((7, 7, 1), (grid.Width, grid.Height, grid.Channels));
        byte[] expected =
        [
            9, 9, 9, 9, 9, 9, 9,
            9, 0, 255, 9, 0, 0, 9,
            9, 128, 255, 9, 64, 191, 9,
            9, 9, 9, 9, 9, 9, 9,
            9, 255, 255, 9, 9, 9, 9,
            9, 255, 255, 9, 9, 9, 9,
            9, 9, 9, 9, 9, 9, 9,
        ];
        Assert.Equal(expected, grid.Pixels);
    }

    [Fact]
    public void GridReadsNhwcAndNchwAlikeAndSavesAPng()
    {
        var nchw = new Tensor(5, 3, 4, 6);
        new Rng(3).FillUniform(nchw.Span, -1, 1);
        var nhwc = new Tensor(5, 4, 6, 3);
        for (int n = 0; n < 5; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int p = 0; p < 24; p++)
                {
                    nhwc.Data[(n * 72) + (p * 3) + c] = nchw.Data[(n * 72) + (c * 24) + p];
                }
            }
        }

        ByteImage a = ImageGrid.Render(nchw, InputLayout.Nchw, -1f, 1f);
        ByteImage b = ImageGrid.Render(nhwc, InputLayout.Nhwc, -1f, 1f);
        Assert.Equal((3 * 8) + 2, a.Width);
        Assert.Equal(a.Pixels, b.Pixels);

        string path = Path.Combine(_temp.Path, "grid.png");
        ImageGrid.Save(path, nchw, InputLayout.Nchw, -1f, 1f);
        Assert.Equal(a.Pixels, Png.Read(path).Pixels);

        var e = Assert.Throws<ArgumentException>(() => ImageGrid.Render(new Tensor(2, 2, 4, 4), InputLayout.Nchw, 0f, 1f));
        Assert.Contains("1 or 3 channels", e.Message, StringComparison.Ordinal);
    }

    internal static ByteImage Mixed(int width, int height, int channels)
    {
        // Smooth gradients (where Sub/Up/Paeth win) next to noise (where None wins).
        var image = new ByteImage(width, height, channels);
        var rng = new Random(width * 1000 + height * 10 + channels);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    image.Pixels[(((y * width) + x) * channels) + c] = x < width / 2 ? (byte)((x * 9) + (y * 5) + (c * 40)) : (byte)rng.Next(256);
                }
            }
        }

        return image;
    }

    private static byte PythonPixel(int x, int y, int c) => (byte)(((x * 37) + (y * 101) + (c * 59) + (x * y * 13)) % 256);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A PNG whose valid IHDR claims an RGBA image of the given size, followed by a few bytes of image data.</summary>
    private static byte[] Claiming(int width, int height)
    {
        byte[] ihdr = Chunk(Png.Encode(Mixed(4, 4, 4)), "IHDR");
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(8), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(12), (uint)height);
        return Concat(Sig, Recrc(ihdr), MakeChunk("IDAT", Zlib(new byte[64])), MakeChunk("IEND", []));
    }

    private static byte[] Sig => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static void AssertBad(Func<object> decode, string name, string problem)
    {
        DataFormatException e = Assert.Throws<DataFormatException>(decode);
        Assert.StartsWith($"{name}: {problem}", e.Message, StringComparison.Ordinal);
    }

    private static int Find(byte[] file, string type)
    {
        int pos = 8;
        while (true)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos));
            if (System.Text.Encoding.ASCII.GetString(file, pos + 4, 4) == type)
            {
                return pos;
            }

            pos += 12 + length;
        }
    }

    private static byte[] Chunk(byte[] file, string type)
    {
        int pos = Find(file, type);
        return file.AsSpan(pos, 12 + BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos))).ToArray();
    }

    private static byte[] Half(byte[] chunk, bool first)
    {
        ReadOnlySpan<byte> data = chunk.AsSpan(8, chunk.Length - 12);
        return MakeChunk("IDAT", first ? data.Slice(0, data.Length / 2) : data.Slice(data.Length / 2));
    }

    private static byte[] MakeChunk(string type, ReadOnlySpan<byte> data)
    {
        byte[] chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk.AsSpan(8));
        return Recrc(chunk);
    }

    private static byte[] Recrc(byte[] chunk)
    {
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(chunk.Length - 4), Crc32.Compute(chunk.AsSpan(4, chunk.Length - 8)));
        return chunk;
    }

    private static byte[] Zlib(ReadOnlySpan<byte> data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(data);
        }

        return ms.ToArray();
    }

    private static byte[] Concat(params byte[][] parts)
    {
        using var ms = new MemoryStream();
        foreach (byte[] p in parts)
        {
            ms.Write(p);
        }

        return ms.ToArray();
    }
}
