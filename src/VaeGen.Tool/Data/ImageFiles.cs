using System;
using System.Collections.Generic;
using System.IO;
using VaeGen.Data;
using VaeGen.Tool.Cli;

namespace VaeGen.Tool.Data;

/// <summary>PNG files checked against a spec's input: same size, and the same channels (an alpha channel is dropped).</summary>
internal static class ImageFiles
{
    /// <summary>Reads one PNG that must match the spec's input exactly.</summary>
    public static ByteImage ReadMatching(string path, InputGeometry geometry)
    {
        if (Directory.Exists(path))
        {
            throw new ToolException(path + ": is a folder; expected a PNG file");
        }

        if (!File.Exists(path))
        {
            throw new ToolException(path + ": file not found");
        }

        return Read(path, geometry);
    }

    /// <summary>Every <c>*.png</c> in a folder (not subfolders), by ordinal file name, each checked like <see cref="ReadMatching"/>.</summary>
    public static List<ByteImage> ReadFolder(string directory, InputGeometry geometry)
    {
        string[] files = Directory.GetFiles(directory, "*.png", SearchOption.TopDirectoryOnly);
        if (files.Length == 0)
        {
            throw new ToolException(directory + ": no .png files in this folder");
        }

        Array.Sort(files, StringComparer.Ordinal);
        var images = new List<ByteImage>(files.Length);
        foreach (string file in files)
        {
            images.Add(Read(file, geometry));
        }

        return images;
    }

    /// <summary>
    /// Checks the size in the PNG header before decoding: a 1.5 MB file can claim 40000x40000 pixels,
    /// gigabytes once inflated, and an image of the wrong size is refused anyway.
    /// </summary>
    private static ByteImage Read(string path, InputGeometry geometry)
    {
        PngHeader header = Png.ReadHeader(path);
        Check(header.Width, header.Height, header.Channels, path, geometry);
        return Match(Png.Read(path), path, geometry);
    }

    public static bool HasPngFiles(string directory) => Directory.EnumerateFiles(directory, "*.png", SearchOption.TopDirectoryOnly).GetEnumerator().MoveNext();

    /// <summary>The image with its alpha channel dropped when the spec has none; anything else that differs is an error naming the file.</summary>
    private static ByteImage Match(ByteImage image, string path, InputGeometry geometry)
    {
        Check(image.Width, image.Height, image.Channels, path, geometry);
        return image.Channels == geometry.Channels ? image : DropAlpha(image);
    }

    /// <summary>Refuses an image whose size or channels do not fit the spec; gray+alpha for a gray spec and RGBA for an RGB spec fit (the alpha is dropped).</summary>
    private static void Check(long width, long height, int channels, string path, InputGeometry geometry)
    {
        string describe = width + "x" + height + " " + InputGeometry.ChannelWord(channels);
        if (width != geometry.Width || height != geometry.Height)
        {
            throw new ToolException(path + ": image is " + describe + " but the spec's input is " + geometry.Describe() + "; resize or crop the images to " +
                                    geometry.Width + "x" + geometry.Height);
        }

        if (channels == geometry.Channels || (channels == geometry.Channels + 1 && geometry.Channels is 1 or 3))
        {
            return;
        }

        throw new ToolException(path + ": image is " + describe + " but the spec's input has " + geometry.Channels + " channel" + (geometry.Channels == 1 ? string.Empty : "s") +
                                " (" + InputGeometry.ChannelWord(geometry.Channels) + "); save the images as " + InputGeometry.ChannelWord(geometry.Channels) + " PNG");
    }

    private static ByteImage DropAlpha(ByteImage image)
    {
        int kept = image.Channels - 1;
        var pixels = new byte[image.Width * image.Height * kept];
        for (int p = 0, s = 0, d = 0; p < image.Width * image.Height; p++, s += image.Channels, d += kept)
        {
            image.Pixels.AsSpan(s, kept).CopyTo(pixels.AsSpan(d, kept));
        }

        return new ByteImage(image.Width, image.Height, kept, pixels);
    }
}
