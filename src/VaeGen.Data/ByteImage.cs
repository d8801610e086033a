using System;

namespace VaeGen.Data;

/// <summary>An 8-bit image: rows top to bottom, channels interleaved (height x width x channels).</summary>
public sealed class ByteImage
{
    /// <summary>Creates a black (all-zero) image.</summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="channels">1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).</param>
    public ByteImage(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckedLength(width, height, channels)])
    {
    }

    /// <summary>Wraps pixel storage without copying it.</summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="channels">1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="pixels">The pixels, length height * width * channels.</param>
    public ByteImage(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long length = CheckedLength(width, height, channels);
        if (pixels.Length != length)
        {
            throw new ArgumentException(
                $"A {width}x{height} {Format.Channels(channels)} image needs {Format.N(length)} bytes, got {Format.N(pixels.Length)}.",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).</summary>
    public int Channels { get; }

    /// <summary>The pixels (the storage, not a copy), height x width x channels.</summary>
    public byte[] Pixels { get; }

    /// <summary>The size and kind as text, e.g. <c>64x64 RGB</c>.</summary>
    public string Describe() => $"{Width}x{Height} {Format.Channels(Channels)}";

    private static int CheckedLength(int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1, 2, 3 or 4.");
        }

        long length = (long)width * height * channels;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"A {width}x{height} image is too large for one array.", nameof(width));
        }

        return (int)length;
    }
}
