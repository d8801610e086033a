using System;
using SkiaSharp;
using VaeGen.Data;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Data;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Tool.Rendering;

/// <summary>
/// PNG grids of model inputs and outputs: reconstructions next to their originals, samples from the
/// prior, interpolation strips. Values are shown in the range the loss compares them in.
/// </summary>
internal static class Grids
{
    // Each image is enlarged (whole pixels, no smoothing) to at least this many pixels on a side, so a 28x28
    // Fashion-MNIST grid or seed000's 5x5 images can be seen at a glance: 28 -> 84, 5 -> 65, 64 stays 64.
    private const int MinimumSide = 64;

    // Latent vectors decoded at once.
    private const int DecodeBlock = 64;

    /// <summary>
    /// Decodes <paramref name="z"/> in eval mode into images that can be shown: probabilities for the
    /// Bernoulli losses (the sigmoid applied to logits), the reconstruction itself for mse. A copy.
    /// </summary>
    /// <param name="labels">A conditional model's class for each row of z; null for an unconditional model.</param>
    public static Tensor Decode(VaeModel model, Tensor z, int[]? labels = null)
    {
        using InferenceScope inference = model.InferenceMode();
        int rows = z.Dim(0), latent = z.Dim(1);
        Tensor? images = null;

        // In blocks, so the decoder's activations stay the size of one block however many images are asked for.
        for (int start = 0; start < rows; start += DecodeBlock)
        {
            int count = Math.Min(DecodeBlock, rows - start);
            var block = new Tensor(count, latent);
            z.Span.Slice(start * latent, count * latent).CopyTo(block.Span);
            Tensor decoded = labels is null ? model.Decode(block) : model.Decode(block, labels.AsSpan(start, count));
            if (images is null)
            {
                int[] shape = decoded.Shape.ToArray();
                shape[0] = rows;
                images = new Tensor(shape);
            }

            int length = decoded.Length;
            Span<float> target = images.Span.Slice(start * (length / count), length);
            if (model.Config.Reconstruction == ReconstructionTerm.BceLogits)
            {
                TensorPrimitives.Sigmoid(decoded.Span, target);
            }
            else
            {
                decoded.Span.CopyTo(target);
            }
        }

        return images ?? throw new ArgumentException("no latent vectors to decode", nameof(z));
    }

    /// <summary>The first <paramref name="count"/> images of <paramref name="data"/> in one row and their reconstructions (z = mu) in the row below.</summary>
    public static Tensor Reconstructions(VaeModel model, BatchFiller data, int count)
    {
        count = Math.Min(count, data.Count);
        Tensor x = data.Take(0, count);
        int[]? labels = data.IsConditional ? data.TakeLabels(0, count) : null;
        using InferenceScope inference = model.InferenceMode();
        var (mu, _) = labels is null ? model.Encode(x) : model.Encode(x, labels);
        var z = new Tensor(mu.Shape.ToArray());
        mu.Span.CopyTo(z.Span);
        Tensor reconstructed = Decode(model, z, labels);
        int[] shape = x.Shape.ToArray();
        shape[0] = 2 * count;
        var both = new Tensor(shape);
        TensorPrimitives.Divide(x.Span, (float)model.Config.Scale, both.Span[..x.Length]);
        reconstructed.Span.CopyTo(both.Span[x.Length..]);
        return both;
    }

    /// <summary>
    /// A conditional model's per-class grid: row c decodes the same <paramref name="columns"/> latent vectors
    /// (the first rows of <paramref name="z"/>) with class c, so a column shows one z across the classes.
    /// Save it with <paramref name="columns"/> columns and <see cref="ClassRowLabels"/>.
    /// </summary>
    public static Tensor PerClass(VaeModel model, Tensor z, int columns)
    {
        int classes = model.Config.Classes, latent = z.Dim(1);
        if (columns > z.Dim(0))
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "more columns than latent vectors");
        }

        var all = new Tensor(classes * columns, latent);
        var labels = new int[classes * columns];
        for (int c = 0; c < classes; c++)
        {
            z.Span[..(columns * latent)].CopyTo(all.Span.Slice(c * columns * latent, columns * latent));
            labels.AsSpan(c * columns, columns).Fill(c);
        }

        return Decode(model, all, labels);
    }

    /// <summary>"class 0", "class 1", ...: the row labels of a per-class grid.</summary>
    public static string[] ClassRowLabels(int classes)
    {
        var labels = new string[classes];
        for (int c = 0; c < classes; c++)
        {
            labels[c] = "class " + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return labels;
    }

    /// <summary>Writes a grid of <paramref name="images"/> (the model's declared layout) as a PNG, atomically.</summary>
    /// <param name="rowLabels">Printed left of each row, e.g. which row is the input and which the reconstruction; null for none.</param>
    public static void Save(string path, Tensor images, VaeModel model, (float Min, float Max) range, int columns = 0, string[]? rowLabels = null)
    {
        ByteImage grid = ImageGrid.Render(images, model.Config.Layout, range.Min, range.Max, columns);
        int side = Math.Min(model.Config.Height, model.Config.Width);
        int factor = (MinimumSide + side - 1) / side;
        grid = factor > 1 ? Enlarge(grid, factor) : grid;
        Png.Write(path, rowLabels is null ? grid : Labelled(grid, rowLabels));
    }

    /// <summary>The grid with a white column on its left holding one label per row (rows of equal height), drawn with Skia, which ScottPlot brings.</summary>
    private static ByteImage Labelled(ByteImage grid, string[] labels)
    {
        const int LabelWidth = 180;
        using var font = new SKFont(SKTypeface.FromFamilyName(ScottPlot.Fonts.Default), 17);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var bitmap = new SKBitmap(new SKImageInfo(LabelWidth + grid.Width, grid.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            float rowHeight = grid.Height / (float)labels.Length;
            for (int i = 0; i < labels.Length; i++)
            {
                canvas.DrawText(labels[i], LabelWidth - 10, (rowHeight * (i + 0.5f)) + (font.Size / 3), SKTextAlign.Right, font, paint);
            }
        }

        var labelled = new ByteImage(bitmap.Width, bitmap.Height, grid.Channels);
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        int c = grid.Channels;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                Span<byte> to = labelled.Pixels.AsSpan(((y * bitmap.Width) + x) * c, c);
                if (x >= LabelWidth)
                {
                    grid.Pixels.AsSpan(((y * grid.Width) + x - LabelWidth) * c, c).CopyTo(to);
                }
                else if (c == 1)
                {
                    to[0] = rgba[((y * bitmap.Width) + x) * 4];
                }
                else
                {
                    rgba.Slice(((y * bitmap.Width) + x) * 4, c).CopyTo(to);
                }
            }
        }

        return labelled;
    }

    /// <summary>The values shown as black and white: [0, 1] for probabilities, else the data's range divided by the scale.</summary>
    public static (float Min, float Max) DisplayRange(VaeModel model, double rangeMin, double rangeMax) =>
        model.Config.Reconstruction is ReconstructionTerm.Mse or ReconstructionTerm.Gaussian
            ? ((float)(rangeMin / model.Config.Scale), (float)(rangeMax / model.Config.Scale))
            : (0f, 1f);

    private static ByteImage Enlarge(ByteImage image, int factor)
    {
        var large = new ByteImage(image.Width * factor, image.Height * factor, image.Channels);
        int c = image.Channels;
        for (int y = 0; y < large.Height; y++)
        {
            for (int x = 0; x < large.Width; x++)
            {
                image.Pixels.AsSpan((((y / factor) * image.Width) + (x / factor)) * c, c).CopyTo(large.Pixels.AsSpan(((y * large.Width) + x) * c, c));
            }
        }

        return large;
    }
}
