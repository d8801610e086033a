using System;
using System.Collections.Generic;
using System.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Data;

/// <summary>
/// N images of one size held as bytes (each height x width x channels, as in files), with optional
/// labels, that fills training batches into a caller-owned <see cref="Tensor"/>.
/// </summary>
/// <remarks>
/// Bytes take a quarter of the memory of floats, and a batch is converted only when it is used.
/// <see cref="FillBatch"/> writes into the tensor it is given and allocates nothing, so a training
/// loop that reuses one batch tensor stays allocation-free.
/// </remarks>
public sealed class ImageDataset
{
    private readonly byte[] _pixels;
    private readonly byte[]? _labels;

    /// <summary>Wraps pixel (and label) storage without copying it.</summary>
    /// <param name="pixels">The images one after another, each height x width x channels.</param>
    /// <param name="count">The number of images.</param>
    /// <param name="height">The height of each image.</param>
    /// <param name="width">The width of each image.</param>
    /// <param name="channels">The channels of each image.</param>
    /// <param name="labels">One label per image, or null.</param>
    public ImageDataset(byte[] pixels, int count, int height, int width, int channels, byte[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        long sample = (long)height * width * channels;
        if (sample * count != pixels.Length)
        {
            throw new ArgumentException(
                $"{Format.N(count)} images of [{height}, {width}, {channels}] need {Format.N(sample * count)} bytes, got {Format.N(pixels.Length)}.",
                nameof(pixels));
        }

        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"{Format.N(count)} images but {Format.N(labels.Length)} labels.", nameof(labels));
        }

        _pixels = pixels;
        _labels = labels;
        Count = count;
        Height = height;
        Width = width;
        Channels = channels;
        SampleLength = (int)sample;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>The height of each image.</summary>
    public int Height { get; }

    /// <summary>The width of each image.</summary>
    public int Width { get; }

    /// <summary>The channels of each image.</summary>
    public int Channels { get; }

    /// <summary>The values per image: height * width * channels.</summary>
    public int SampleLength { get; }

    /// <summary>The per-sample shape as stored: [height, width, channels].</summary>
    public int[] SampleShape => [Height, Width, Channels];

    /// <summary>Whether the images have labels.</summary>
    public bool HasLabels => _labels is not null;

    /// <summary>The labels, one per image; empty when there are none.</summary>
    public ReadOnlySpan<byte> Labels => _labels;

    /// <summary>All pixels, image after image, each height x width x channels.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Grayscale images and labels read from IDX files (channels = 1); neither is copied.</summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">One label per image, or null.</param>
    public static ImageDataset FromIdx(IdxImages images, byte[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        return new ImageDataset(images.Pixels, images.Count, images.Rows, images.Cols, 1, labels);
    }

    /// <summary>Copies images of one size and channel count into a dataset.</summary>
    /// <param name="images">The images; at least one.</param>
    /// <param name="labels">One label per image, or null.</param>
    public static ImageDataset FromImages(IReadOnlyList<ByteImage> images, byte[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("At least one image is needed to know the size.", nameof(images));
        }

        ByteImage first = images[0];
        int sample = first.Pixels.Length;
        byte[] pixels = new byte[(long)sample * images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            ByteImage image = images[i];
            if (image.Width != first.Width || image.Height != first.Height || image.Channels != first.Channels)
            {
                throw new ArgumentException(
                    $"Image {i} is {image.Describe()} but image 0 is {first.Describe()}; all images must share one size.", nameof(images));
            }

            image.Pixels.CopyTo(pixels, (long)i * sample);
        }

        return new ImageDataset(pixels, images.Count, first.Height, first.Width, first.Channels, labels);
    }

    /// <summary>
    /// Reads every <c>*.png</c> file in <paramref name="directory"/> (not subdirectories), in
    /// ordinal order of file name, so the sample order is the same on every machine.
    /// </summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="DataFormatException">A file is not a supported PNG, or differs in size or channels from the first.</exception>
    /// <exception cref="FileNotFoundException">The directory holds no PNG file.</exception>
    public static ImageDataset LoadPngDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var images = new List<ByteImage>();
        ReadPngFolder(directory, images, null);
        return FromImages(images);
    }

    /// <summary>
    /// Reads labelled images from one sub-folder per class: the sub-folders of <paramref name="directory"/> in
    /// ordinal order of name are classes 0, 1, ... (<see cref="ClassLabels.Folders"/>), and every <c>*.png</c>
    /// in a class folder is an image of that class. Images are in folder order, then file-name order.
    /// </summary>
    /// <param name="directory">The folder holding the class folders.</param>
    /// <exception cref="DataFormatException">A file is not a supported PNG or differs in size or channels from the first; more than 256 classes.</exception>
    /// <exception cref="FileNotFoundException">There is no class folder, or a class folder holds no PNG file.</exception>
    public static ImageDataset LoadPngClassFolders(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        IReadOnlyList<string> folders = ClassLabels.Folders(directory);
        if (folders.Count == 0)
        {
            throw new FileNotFoundException($"{directory}: no class folders in this directory (one sub-folder of PNG images per class).");
        }

        ClassLabels.CheckFolders(directory, folders, byte.MaxValue + 1);
        var images = new List<ByteImage>();
        var labels = new List<byte>();
        string? first = null;
        for (int label = 0; label < folders.Count; label++)
        {
            int before = images.Count;
            string firstHere = ReadPngFolder(folders[label], images, first is null ? null : (first, images[0]));
            first ??= firstHere;
            for (int i = before; i < images.Count; i++)
            {
                labels.Add((byte)label);
            }
        }

        return FromImages(images, labels.ToArray());
    }

    /// <summary>Appends the folder's PNG images in ordinal order of file name, each the size of the reference (the first image read, if none is given); returns the first file's path.</summary>
    private static string ReadPngFolder(string directory, List<ByteImage> images, (string Path, ByteImage Image)? reference)
    {
        string[] files = Directory.GetFiles(directory, "*.png", SearchOption.TopDirectoryOnly);
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"{directory}: no .png files in this directory.");
        }

        Array.Sort(files, StringComparer.Ordinal);
        foreach (string file in files)
        {
            ByteImage image = Png.Read(file);
            reference ??= (file, image);
            var (referencePath, expected) = reference.Value;
            if (image.Width != expected.Width || image.Height != expected.Height || image.Channels != expected.Channels)
            {
                string name = Path.GetDirectoryName(referencePath) == Path.GetDirectoryName(file) ? Path.GetFileName(referencePath) : referencePath;
                throw new DataFormatException(
                    file,
                    $"image is {image.Describe()} but {name} is {expected.Describe()}; all images in a dataset must share one size",
                    null);
            }

            images.Add(image);
        }

        return files[0];
    }

    /// <summary>
    /// Copies the labels of the images at <paramref name="indices"/> into <paramref name="destination"/>, batch entry i
    /// getting image indices[i]'s label, as a conditional model takes them next to the batch. Allocates nothing.
    /// </summary>
    /// <param name="indices">Which images, in batch order (as given to <see cref="FillBatch"/>).</param>
    /// <param name="destination">At least indices.Length entries; the first indices.Length are written.</param>
    /// <exception cref="InvalidOperationException">The dataset has no labels.</exception>
    public void FillLabels(ReadOnlySpan<int> indices, Span<int> destination)
    {
        if (_labels is null)
        {
            throw new InvalidOperationException("These images have no labels (an IDX label file, or one PNG sub-folder per class, gives them).");
        }

        if (destination.Length < indices.Length)
        {
            throw new ArgumentException($"{indices.Length} labels do not fit in {destination.Length} entries.", nameof(destination));
        }

        for (int i = 0; i < indices.Length; i++)
        {
            CheckIndex(indices[i]);
            destination[i] = _labels[indices[i]];
        }
    }

    /// <summary>The stored bytes of image <paramref name="index"/> (height x width x channels).</summary>
    /// <param name="index">The image, 0-based.</param>
    public ReadOnlySpan<byte> Sample(int index)
    {
        CheckIndex(index);
        return _pixels.AsSpan(index * SampleLength, SampleLength);
    }

    /// <summary>A copy of image <paramref name="index"/> as a <see cref="ByteImage"/>, e.g. to save it as PNG.</summary>
    /// <param name="index">The image, 0-based.</param>
    public ByteImage ToImage(int index)
    {
        if (Channels > 4)
        {
            throw new InvalidOperationException($"Images with {Channels} channels cannot be a ByteImage (at most 4).");
        }

        return new ByteImage(Width, Height, Channels, Sample(index).ToArray());
    }

    /// <summary>
    /// Converts the images at <paramref name="indices"/> to floats in <paramref name="destination"/>,
    /// batch entry i holding image indices[i]. Values are the stored bytes divided by
    /// <paramref name="scale"/>: the default 1 keeps 0..255 for models whose spec divides by its own
    /// <c>scale</c>; 255 gives 0..1.
    /// </summary>
    /// <param name="indices">Which images, in batch order; repeats are allowed.</param>
    /// <param name="destination">
    /// The batch: [B, C, H, W] for <see cref="InputLayout.Nchw"/>, [B, H, W, C] for
    /// <see cref="InputLayout.Nhwc"/>, or any shape [B, ...] of B * <see cref="SampleLength"/>
    /// elements (e.g. [B, H*W*C] for a model that flattens), filled in the layout's order.
    /// </param>
    /// <param name="layout">The element order within each sample.</param>
    /// <param name="scale">The divisor; positive and finite.</param>
    public void FillBatch(ReadOnlySpan<int> indices, Tensor destination, InputLayout layout, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!(scale > 0f) || !float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive and finite.");
        }

        CheckBatchShape(indices.Length, destination, layout);
        foreach (int index in indices)
        {
            CheckIndex(index);
        }

        // One lookup per byte gives exactly the same float as dividing each value, at table cost.
        Span<float> table = stackalloc float[256];
        for (int v = 0; v < 256; v++)
        {
            table[v] = v / scale;
        }

        Span<float> dst = destination.Span;
        int plane = Height * Width;
        for (int b = 0; b < indices.Length; b++)
        {
            ReadOnlySpan<byte> src = _pixels.AsSpan(indices[b] * SampleLength, SampleLength);
            Span<float> sample = dst.Slice(b * SampleLength, SampleLength);
            if (layout == InputLayout.Nhwc || Channels == 1)
            {
                for (int i = 0; i < src.Length; i++)
                {
                    sample[i] = table[src[i]];
                }

                continue;
            }

            for (int c = 0; c < Channels; c++)
            {
                Span<float> channel = sample.Slice(c * plane, plane);
                for (int p = 0, s = c; p < plane; p++, s += Channels)
                {
                    channel[p] = table[src[s]];
                }
            }
        }
    }

    private void CheckBatchShape(int batch, Tensor destination, InputLayout layout)
    {
        if (layout is not InputLayout.Nchw and not InputLayout.Nhwc)
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout.");
        }

        bool ok;
        if (destination.Rank == 4)
        {
            ReadOnlySpan<int> expected = layout == InputLayout.Nchw
                ? [batch, Channels, Height, Width]
                : [batch, Height, Width, Channels];
            ok = destination.HasShape(expected);
        }
        else
        {
            ok = destination.Rank >= 1 && destination.Dim(0) == batch && destination.Length == (long)batch * SampleLength;
        }

        if (!ok)
        {
            string wanted = layout == InputLayout.Nchw
                ? $"[{batch}, {Channels}, {Height}, {Width}]"
                : $"[{batch}, {Height}, {Width}, {Channels}]";
            throw new ArgumentException(
                $"A batch of {batch} {layout.ToString().ToUpperInvariant()} images needs a tensor of shape {wanted} " +
                $"(or [{batch}, ...] with {Format.N((long)batch * SampleLength)} elements); got {destination.ShapeString()}.",
                nameof(destination));
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Image index must be in [0, {Count}).");
        }
    }
}
