using System;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Data;

/// <summary>Tiles a batch of float images into one picture, e.g. to look at reconstructions or samples.</summary>
public static class ImageGrid
{
    /// <summary>
    /// Tiles the batch row by row into a grid image. Each value v becomes
    /// round(255 * (v - min) / (max - min)), clamped to 0..255; NaN becomes 0.
    /// </summary>
    /// <param name="images">A rank-4 batch with 1 (gray) or 3 (RGB) channels.</param>
    /// <param name="layout">Whether <paramref name="images"/> is [N, C, H, W] or [N, H, W, C].</param>
    /// <param name="min">The value shown as black.</param>
    /// <param name="max">The value shown as white; greater than <paramref name="min"/>.</param>
    /// <param name="columns">Images per grid row; 0 for a near-square grid (ceil(sqrt(N))).</param>
    /// <param name="padding">Pixels between images and around the grid, as torchvision's make_grid.</param>
    /// <param name="padValue">The byte the padding is filled with.</param>
    public static ByteImage Render(Tensor images, InputLayout layout, float min, float max, int columns = 0, int padding = 2, byte padValue = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4)
        {
            throw new ArgumentException($"Expected a batch of images [N, C, H, W] or [N, H, W, C], got {images.ShapeString()}.", nameof(images));
        }

        if (!float.IsFinite(min) || !float.IsFinite(max) || !(max > min))
        {
            throw new ArgumentException($"The value range [{min}, {max}] must be finite with max > min.", nameof(max));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);

        int n = images.Dim(0);
        (int c, int h, int w) = layout switch
        {
            InputLayout.Nchw => (images.Dim(1), images.Dim(2), images.Dim(3)),
            InputLayout.Nhwc => (images.Dim(3), images.Dim(1), images.Dim(2)),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout."),
        };
        if (c is not 1 and not 3)
        {
            throw new ArgumentException(
                $"Images must have 1 or 3 channels; {images.ShapeString()} as {layout.ToString().ToUpperInvariant()} has {c}.", nameof(images));
        }

        if (n == 0 || h == 0 || w == 0)
        {
            throw new ArgumentException($"There is nothing to draw in {images.ShapeString()}.", nameof(images));
        }

        int cols = columns == 0 ? (int)Math.Ceiling(Math.Sqrt(n)) : Math.Min(columns, n);
        int rows = (n + cols - 1) / cols;
        long gridWidth = ((long)cols * (w + padding)) + padding;
        long gridHeight = ((long)rows * (h + padding)) + padding;
        if (gridWidth > int.MaxValue || gridHeight > int.MaxValue || gridWidth * gridHeight * c > Array.MaxLength)
        {
            throw new ArgumentException($"A {cols}x{rows} grid of {w}x{h} images is too large for one image.", nameof(images));
        }

        var grid = new ByteImage((int)gridWidth, (int)gridHeight, c);
        grid.Pixels.AsSpan().Fill(padValue);
        float k = 255f / (max - min);
        ReadOnlySpan<float> src = images.Span;
        int sample = c * h * w;
        for (int i = 0; i < n; i++)
        {
            int top = padding + ((i / cols) * (h + padding));
            int left = padding + ((i % cols) * (w + padding));
            ReadOnlySpan<float> image = src.Slice(i * sample, sample);
            for (int y = 0; y < h; y++)
            {
                Span<byte> dst = grid.Pixels.AsSpan((((top + y) * grid.Width) + left) * c, w * c);
                for (int x = 0; x < w; x++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        float v = layout == InputLayout.Nchw ? image[(((ch * h) + y) * w) + x] : image[(((y * w) + x) * c) + ch];
                        dst[(x * c) + ch] = ToByte((v - min) * k);
                    }
                }
            }
        }

        return grid;
    }

    /// <summary>Renders the grid (see <see cref="Render"/>) and writes it as a PNG file, atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="images">A rank-4 batch with 1 (gray) or 3 (RGB) channels.</param>
    /// <param name="layout">Whether <paramref name="images"/> is [N, C, H, W] or [N, H, W, C].</param>
    /// <param name="min">The value shown as black.</param>
    /// <param name="max">The value shown as white; greater than <paramref name="min"/>.</param>
    /// <param name="columns">Images per grid row; 0 for a near-square grid.</param>
    /// <param name="padding">Pixels between images and around the grid.</param>
    /// <param name="padValue">The byte the padding is filled with.</param>
    public static void Save(string path, Tensor images, InputLayout layout, float min, float max, int columns = 0, int padding = 2, byte padValue = 0) =>
        Png.Write(path, Render(images, layout, min, max, columns, padding, padValue));

    private static byte ToByte(float scaled)
    {
        // NaN fails both comparisons and lands on 0 rather than an arbitrary cast result.
        if (!(scaled > 0f))
        {
            return 0;
        }

        return scaled >= 255f ? (byte)255 : (byte)MathF.Round(scaled);
    }
}
