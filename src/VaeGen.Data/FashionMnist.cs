using System;
using System.Collections.Generic;
using System.IO;

namespace VaeGen.Data;

/// <summary>The two Fashion-MNIST splits.</summary>
public enum FashionMnistSplit
{
    /// <summary>The training split (60,000 images; 4,000 in the committed subset).</summary>
    Train,

    /// <summary>The test split (10,000 images; 1,000 in the committed subset).</summary>
    Test,
}

/// <summary>
/// Finds and loads Fashion-MNIST (28x28 grayscale clothing images, labels 0..9) as
/// <see cref="ImageDataset"/>s with shape [28, 28, 1] per sample.
/// </summary>
/// <remarks>
/// Looks first in <see cref="SystemDirectory"/> (the full dataset, from the Debian package
/// <c>dataset-fashion-mnist</c>), then in the subset committed under <c>data/fashion-mnist</c>.
/// A directory counts when it holds all four files, each gzipped (<c>name.gz</c>) or raw.
/// </remarks>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the full dataset.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The committed subset's directory name under the repository's <c>data/</c>.</summary>
    public const string RepositoryDataName = "fashion-mnist";

    /// <summary>The side of each image.</summary>
    public const int ImageSize = 28;

    private static readonly string[] Names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames => Names;

    /// <summary>
    /// The directory to load from: <paramref name="directory"/> when given (it must be complete),
    /// else <see cref="SystemDirectory"/> when complete, else the repository's <c>data/fashion-mnist</c>.
    /// </summary>
    /// <param name="directory">An explicit directory, or null to search.</param>
    /// <exception cref="FileNotFoundException">No complete copy was found; the message lists where it looked.</exception>
    public static string Locate(string? directory = null)
    {
        if (directory is not null)
        {
            List<string> missing = Missing(directory);
            if (missing.Count > 0)
            {
                throw new FileNotFoundException(
                    $"{directory}: not a Fashion-MNIST directory; missing {string.Join(", ", missing)} (each may also end in .gz).");
            }

            return directory;
        }

        if (Missing(SystemDirectory).Count == 0)
        {
            return SystemDirectory;
        }

        string? subset = CheckoutData.Find(RepositoryDataName);
        if (subset is not null && Missing(subset).Count == 0)
        {
            return subset;
        }

        string repository = subset ?? (CheckoutData.FindRoot() is string root
            ? Path.Combine(root, "data", RepositoryDataName) + " (absent)"
            : $"data/{RepositoryDataName} of a VaeGen checkout (no {CheckoutData.RootMarker} above {AppContext.BaseDirectory})");
        throw new FileNotFoundException(
            $"Fashion-MNIST not found. Looked in {SystemDirectory} (install the Debian package dataset-fashion-mnist) " +
            $"and in {repository}; or pass the directory explicitly.");
    }

    /// <summary>Loads one split from <see cref="Locate"/>'s directory.</summary>
    /// <param name="split">Which split.</param>
    /// <param name="directory">An explicit directory, or null to search.</param>
    /// <exception cref="DataFormatException">A file is malformed, or images and labels do not match.</exception>
    public static ImageDataset Load(FashionMnistSplit split, string? directory = null)
    {
        string dir = Locate(directory);
        string prefix = Prefix(split);
        string imagesPath = Resolve(dir, prefix + "-images-idx3-ubyte")!;
        string labelsPath = LabelsPath(split, dir);

        IdxImages images = IdxFile.LoadImages(imagesPath);
        if (images.Rows != ImageSize || images.Cols != ImageSize)
        {
            throw new DataFormatException(imagesPath, $"Fashion-MNIST images are {ImageSize}x{ImageSize}, these are {images.Rows}x{images.Cols}", null);
        }

        byte[] labels = IdxFile.LoadLabels(labelsPath);
        if (labels.Length != images.Count)
        {
            throw new DataFormatException(
                labelsPath, $"{Format.N(labels.Length)} labels for the {Format.N(images.Count)} images in {imagesPath}", null);
        }

        ClassLabels.Check(labelsPath, labels, Names.Length);
        return ImageDataset.FromIdx(images, labels);
    }

    /// <summary>Loads the training split.</summary>
    /// <param name="directory">An explicit directory, or null to search.</param>
    public static ImageDataset LoadTrain(string? directory = null) => Load(FashionMnistSplit.Train, directory);

    /// <summary>Loads the test split.</summary>
    /// <param name="directory">An explicit directory, or null to search.</param>
    public static ImageDataset LoadTest(string? directory = null) => Load(FashionMnistSplit.Test, directory);

    /// <summary>The label file of a split in <see cref="Locate"/>'s directory (gzipped or raw), as the images' labels are read from it.</summary>
    /// <param name="split">Which split.</param>
    /// <param name="directory">An explicit directory, or null to search.</param>
    public static string LabelsPath(FashionMnistSplit split, string? directory = null) =>
        Resolve(Locate(directory), Prefix(split) + "-labels-idx1-ubyte")!;

    private static string Prefix(FashionMnistSplit split) => split switch
    {
        FashionMnistSplit.Train => "train",
        FashionMnistSplit.Test => "t10k",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };

    private static List<string> Missing(string directory)
    {
        var missing = new List<string>();
        foreach (string name in (string[])["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
        {
            if (Resolve(directory, name) is null)
            {
                missing.Add(name);
            }
        }

        return missing;
    }

    /// <summary>The gzipped file if present, else the raw one, else null; the reader sniffs the format either way.</summary>
    private static string? Resolve(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz))
        {
            return gz;
        }

        string raw = Path.Combine(directory, name);
        return File.Exists(raw) ? raw : null;
    }
}
