using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using VaeGen.Data;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;

namespace VaeGen.Tool.Data;

/// <summary>Which splits a command needs, so eval does not decompress 60,000 training images it never reads.</summary>
[Flags]
internal enum Splits
{
    Train = 1,
    Test = 2,
    Both = Train | Test,
}

/// <summary>The training and test images for a spec, and where they came from (for messages and checkpoints).</summary>
internal sealed record SpecData(ImageDataset? Train, ImageDataset? Test, string Description)
{
    public ImageDataset RequireTrain() => Train ?? throw new InvalidOperationException("The training split was not loaded.");

    public ImageDataset RequireTest() => Test ?? throw new InvalidOperationException("The test split was not loaded.");
}

/// <summary>
/// Finds and loads the data for a spec. With <c>--data</c>: a folder of IDX files in Fashion-MNIST's
/// layout, or a folder of PNG images of exactly the spec's size (every tenth image, by file name,
/// is the test split). Without it: Fashion-MNIST for 28x28 grayscale specs (the full set from
/// /usr/share/datasets/fashion-mnist when installed, else the subset committed under
/// data/fashion-mnist) and the committed photo patches (data/photos64) for RGB specs up to 64x64,
/// cut into tiles of the spec's size.
/// A conditional spec (<c>condition: { classes: K }</c>) needs labels: the IDX label files beside the
/// images, or a <c>--data</c> folder with one sub-folder of PNG images per class (classes in ordinal
/// order of folder name; every tenth image of each class is a test image). Every label is checked
/// against K here, before training starts, so a bad label is one error naming its file.
/// </summary>
internal static class DataSources
{
    private const string PhotosName = "photos64";
    private const int PhotoSize = 64;
    private const int TestEvery = 10;

    public static SpecData Load(InputGeometry geometry, string? path, Splits splits, int? limitTrain = null, int? limitTest = null)
    {
        SpecData data = path is null ? LoadDefault(geometry, splits) : LoadExplicit(geometry, path, splits);
        ImageDataset? train = Limit(data.Train, limitTrain);
        ImageDataset? test = Limit(data.Test, limitTest);
        return new SpecData(train, test, data.Description + Counts(train, test));
    }

    private static SpecData LoadExplicit(InputGeometry geometry, string path, Splits splits)
    {
        if (File.Exists(path))
        {
            throw new ToolException(path + ": is a file; --data takes a folder, of IDX files (Fashion-MNIST's layout) or of PNG images");
        }

        if (!Directory.Exists(path))
        {
            throw new ToolException(path + ": no such folder (--data takes a folder of IDX files or of PNG images)");
        }

        if (ImageFiles.HasPngFiles(path))
        {
            if (geometry.IsConditional)
            {
                throw new ToolException(path + ": PNG images without class labels, but the spec is conditional (condition: { classes: " + geometry.Classes +
                                        " }); put the images in one sub-folder per class (classes in ordinal order of folder name)");
            }

            return SplitImages(ImageFiles.ReadFolder(path, geometry), splits, tile: false, geometry, "PNG images in " + path);
        }

        IReadOnlyList<string> classFolders = ClassLabels.Folders(path);
        if (classFolders.Count > 0 && !Directory.EnumerateFiles(path, "*-idx?-ubyte*").Any())
        {
            return LoadClassFolders(geometry, path, classFolders, splits);
        }

        string directory;
        try
        {
            directory = FashionMnist.Locate(path);
        }
        catch (FileNotFoundException e)
        {
            throw new ToolException(e.Message.TrimEnd('.') + "; or put PNG images of the spec's size in it", e);
        }

        return LoadIdx(geometry, directory, splits, "IDX files in " + directory);
    }

    private static SpecData LoadDefault(InputGeometry geometry, Splits splits)
    {
        if (IsFashionMnistShape(geometry))
        {
            string directory = LocateFashionMnist();
            string what = directory == FashionMnist.SystemDirectory ? "Fashion-MNIST" : "the Fashion-MNIST subset";
            return LoadIdx(geometry, directory, splits, what + " in " + directory);
        }

        if (geometry.Channels == 3 && geometry.Height <= PhotoSize && geometry.Width <= PhotoSize)
        {
            if (geometry.IsConditional)
            {
                throw new ToolException("--data: the default photo patches have no class labels, but the spec is conditional (condition: { classes: " + geometry.Classes +
                                        " }); pass --data with a folder of " + geometry.Describe() + " PNG images in one sub-folder per class");
            }

            string directory = FindCheckoutData(PhotosName)
                ?? throw new ToolException("data/" + PhotosName + ": the photo patches for RGB specs were not found (not inside a VaeGen checkout); pass --data with a folder of " +
                                           geometry.Describe() + " PNG images");
            var photos = new InputGeometry(PhotoSize, PhotoSize, 3, geometry.Layout, geometry.RangeMin, geometry.RangeMax);
            bool tile = geometry.Height != PhotoSize || geometry.Width != PhotoSize;
            string what = tile ? geometry.Width + "x" + geometry.Height + " tiles of the photo patches in " + directory : "the photo patches in " + directory;
            return SplitImages(ImageFiles.ReadFolder(directory, photos), splits, tile, geometry, what);
        }

        throw new ToolException("--data: there is no default data set for " + geometry.Describe() + " images (Fashion-MNIST is 28x28 grayscale, the photo patches are RGB up to 64x64); " +
                                "pass --data with a folder of " + geometry.Describe() + " PNG images");
    }

    private static bool IsFashionMnistShape(InputGeometry geometry) =>
        geometry.Height == FashionMnist.ImageSize && geometry.Width == FashionMnist.ImageSize && geometry.Channels == 1;

    private static SpecData LoadIdx(InputGeometry geometry, string directory, Splits splits, string description)
    {
        if (!IsFashionMnistShape(geometry))
        {
            throw new ToolException(directory + ": holds 28x28 grayscale IDX images, but the spec's input is " + geometry.Describe() +
                                    "; pass --data with a folder of " + geometry.Describe() + " PNG images");
        }

        ImageDataset? train = splits.HasFlag(Splits.Train) ? FashionMnist.LoadTrain(directory) : null;
        ImageDataset? test = splits.HasFlag(Splits.Test) ? FashionMnist.LoadTest(directory) : null;
        if (geometry.IsConditional)
        {
            // The loader already holds the labels to the files' own 0..9; the spec's K may be smaller.
            foreach (var (split, images) in new[] { (FashionMnistSplit.Train, train), (FashionMnistSplit.Test, test) })
            {
                if (images is not null)
                {
                    ClassLabels.Check(FashionMnist.LabelsPath(split, directory), images.Labels, geometry.Classes);
                }
            }

            description += " with their labels";
        }

        return new SpecData(train, test, description);
    }

    /// <summary>One sub-folder of PNG images per class: labels by folder, in ordinal order of name; every tenth image of each class is a test image, so both splits hold every class.</summary>
    private static SpecData LoadClassFolders(InputGeometry geometry, string path, IReadOnlyList<string> folders, Splits splits)
    {
        if (geometry.IsConditional)
        {
            ClassLabels.CheckFolders(path, folders, geometry.Classes);
        }
        else if (folders.Count > byte.MaxValue + 1)
        {
            throw new ToolException(path + ": " + folders.Count + " class folders; at most 256 classes are read");
        }

        var train = new List<ByteImage>();
        var test = new List<ByteImage>();
        var trainLabels = new List<byte>();
        var testLabels = new List<byte>();
        for (int label = 0; label < folders.Count; label++)
        {
            List<ByteImage> images = ImageFiles.ReadFolder(folders[label], geometry);
            for (int i = 0; i < images.Count; i++)
            {
                // A class of fewer than ten images keeps them all for training and is tested on them too.
                bool held = images.Count >= TestEvery && i % TestEvery == TestEvery - 1;
                bool trained = !held;
                bool tested = held || images.Count < TestEvery;
                if (trained)
                {
                    train.Add(images[i]);
                    trainLabels.Add((byte)label);
                }

                if (tested)
                {
                    test.Add(images[i]);
                    testLabels.Add((byte)label);
                }
            }
        }

        return new SpecData(
            splits.HasFlag(Splits.Train) ? ImageDataset.FromImages(train, trainLabels.ToArray()) : null,
            splits.HasFlag(Splits.Test) ? ImageDataset.FromImages(test, testLabels.ToArray()) : null,
            "PNG images in " + SpecFile.Plural(folders.Count, "class folder") + " of " + path);
    }

    /// <summary>The installed full set, else the committed subset found from the tool's own folder or, for an installed tool run inside a checkout, from the current folder.</summary>
    private static string LocateFashionMnist()
    {
        try
        {
            return FashionMnist.Locate();
        }
        catch (FileNotFoundException e)
        {
            string? fromHere = CheckoutData.Find(FashionMnist.RepositoryDataName, Environment.CurrentDirectory);
            if (fromHere is not null)
            {
                return FashionMnist.Locate(fromHere);
            }

            throw new ToolException("--data: " + e.Message.TrimEnd('.') + " with --data", e);
        }
    }

    private static string? FindCheckoutData(string name) =>
        CheckoutData.Find(name) ?? CheckoutData.Find(name, Environment.CurrentDirectory);

    /// <summary>Every tenth image (by position) is a test image; tiles stay with their source image so no photo is in both splits.</summary>
    private static SpecData SplitImages(List<ByteImage> images, Splits splits, bool tile, InputGeometry geometry, string description)
    {
        var train = new List<ByteImage>();
        var test = new List<ByteImage>();
        for (int i = 0; i < images.Count; i++)
        {
            List<ByteImage> into = i % TestEvery == TestEvery - 1 ? test : train;
            if (tile)
            {
                Tiles(images[i], geometry.Width, geometry.Height, into);
            }
            else
            {
                into.Add(images[i]);
            }
        }

        if (images.Count < TestEvery)
        {
            // Too few images to hold any out: test on the training images rather than on nothing.
            test = train;
        }

        return new SpecData(
            splits.HasFlag(Splits.Train) ? ImageDataset.FromImages(train) : null,
            splits.HasFlag(Splits.Test) ? ImageDataset.FromImages(test) : null,
            description);
    }

    /// <summary>Non-overlapping tiles, row by row; a remainder narrower than a tile is left out.</summary>
    private static void Tiles(ByteImage image, int width, int height, List<ByteImage> into)
    {
        int c = image.Channels;
        for (int top = 0; top + height <= image.Height; top += height)
        {
            for (int left = 0; left + width <= image.Width; left += width)
            {
                var pixels = new byte[width * height * c];
                for (int y = 0; y < height; y++)
                {
                    image.Pixels.AsSpan((((top + y) * image.Width) + left) * c, width * c).CopyTo(pixels.AsSpan(y * width * c));
                }

                into.Add(new ByteImage(width, height, c, pixels));
            }
        }
    }

    private static ImageDataset? Limit(ImageDataset? dataset, int? limit)
    {
        if (dataset is null || limit is not int n || n >= dataset.Count)
        {
            return dataset;
        }

        byte[] pixels = dataset.Pixels[..(n * dataset.SampleLength)].ToArray();
        byte[]? labels = dataset.HasLabels ? dataset.Labels[..n].ToArray() : null;
        return new ImageDataset(pixels, n, dataset.Height, dataset.Width, dataset.Channels, labels);
    }

    private static string Counts(ImageDataset? train, ImageDataset? test)
    {
        var parts = new List<string>();
        if (train is not null)
        {
            parts.Add(train.Count.ToString("N0", CultureInfo.InvariantCulture) + " training");
        }

        if (test is not null)
        {
            parts.Add(test.Count.ToString("N0", CultureInfo.InvariantCulture) + " test");
        }

        int last = test?.Count ?? train?.Count ?? 0;
        return parts.Count == 0 ? string.Empty : " (" + string.Join(", ", parts) + (last == 1 ? " image)" : " images)");
    }
}
