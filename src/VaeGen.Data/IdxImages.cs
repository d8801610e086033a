using System;

namespace VaeGen.Data;

/// <summary>Unsigned-byte grayscale images as stored in an IDX file: <see cref="Count"/> x <see cref="Rows"/> x <see cref="Cols"/>, row-major.</summary>
public sealed class IdxImages
{
    /// <summary>Wraps pixel storage without copying it.</summary>
    /// <param name="count">The number of images.</param>
    /// <param name="rows">The height of each image.</param>
    /// <param name="cols">The width of each image.</param>
    /// <param name="pixels">The pixels, image after image, each row-major; length count * rows * cols.</param>
    public IdxImages(int count, int rows, int cols, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentNullException.ThrowIfNull(pixels);
        if ((long)count * rows * cols != pixels.Length)
        {
            throw new ArgumentException(
                $"{Format.N(count)} images of {rows}x{cols} need {Format.N((long)count * rows * cols)} bytes, got {Format.N(pixels.Length)}.",
                nameof(pixels));
        }

        Count = count;
        Rows = rows;
        Cols = cols;
        Pixels = pixels;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>The height of each image.</summary>
    public int Rows { get; }

    /// <summary>The width of each image.</summary>
    public int Cols { get; }

    /// <summary>The pixels, image after image, each row-major (the storage, not a copy).</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    /// <param name="index">The image, 0-based.</param>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int size = Rows * Cols;
        return Pixels.AsSpan(index * size, size);
    }
}
