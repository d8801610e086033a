using System;
using System.Collections.Generic;
using System.IO;
using VaeGen.Data;
using VaeGen.Runtime.Models;
using VaeGen.Testing;

namespace VaeGen.Managed.Tests;

/// <summary>The committed images a spec trains on in tests: Fashion-MNIST for 28x28 gray, photo patches (cut smaller if needed) for RGB.</summary>
internal static class RealImages
{
    private const int HeldOut = 64;

    public static (ImageDataset Train, ImageDataset HeldOut) For(VaeConfig config)
    {
        string root = Repository.Root;
        if (config is { Channels: 1, Height: FashionMnist.ImageSize, Width: FashionMnist.ImageSize })
        {
            // The committed subset, not the system copy, so every machine trains on the same images.
            string directory = Path.Combine(root, "data", FashionMnist.RepositoryDataName);
            return (FashionMnist.LoadTrain(directory), FashionMnist.LoadTest(directory).Take(HeldOut));
        }

        if (config.Channels != 3)
        {
            throw new NotSupportedException($"No committed images for {config.Channels}-channel input.");
        }

        ImageDataset photos = ImageDataset.LoadPngDirectory(Path.Combine(root, "data", "photos64"));
        ImageDataset patches = config.Height == photos.Height && config.Width == photos.Width ? photos : Cut(photos, config.Height, config.Width);
        return (patches.Range(0, patches.Count - HeldOut), patches.Range(patches.Count - HeldOut, HeldOut));
    }

    private static ImageDataset Take(this ImageDataset data, int count) => data.Range(0, Math.Min(count, data.Count));

    private static ImageDataset Range(this ImageDataset data, int start, int count)
    {
        var pixels = data.Pixels.Slice(start * data.SampleLength, count * data.SampleLength).ToArray();
        return new ImageDataset(pixels, count, data.Height, data.Width, data.Channels);
    }

    /// <summary>Non-overlapping h x w tiles of every image.</summary>
    private static ImageDataset Cut(ImageDataset photos, int h, int w)
    {
        var tiles = new List<byte>();
        int count = 0;
        int c = photos.Channels;
        for (int n = 0; n < photos.Count; n++)
        {
            ReadOnlySpan<byte> image = photos.Sample(n);
            for (int y = 0; y + h <= photos.Height; y += h)
            {
                for (int x = 0; x + w <= photos.Width; x += w)
                {
                    for (int row = 0; row < h; row++)
                    {
                        tiles.AddRange(image.Slice((((y + row) * photos.Width) + x) * c, w * c).ToArray());
                    }

                    count++;
                }
            }
        }

        return new ImageDataset(tiles.ToArray(), count, h, w, c);
    }
}
