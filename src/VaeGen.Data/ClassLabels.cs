using System;
using System.Collections.Generic;
using System.IO;

namespace VaeGen.Data;

/// <summary>
/// Class labels as a conditional VAE reads them (spec 1.1 <c>condition: { classes: K }</c>): integers
/// 0..K-1, one per image, from an IDX label file or from one PNG sub-folder per class.
/// </summary>
public static class ClassLabels
{
    /// <summary>
    /// Throws when a label is outside 0..<paramref name="classes"/> - 1, naming the file and the first bad index:
    /// a label the model cannot one-hot would otherwise fail in the middle of training.
    /// </summary>
    /// <param name="path">The label file (or folder) the labels came from, for the message.</param>
    /// <param name="labels">The labels.</param>
    /// <param name="classes">K, the number of classes; at least 1.</param>
    /// <exception cref="DataFormatException">A label is K or more.</exception>
    public static void Check(string path, ReadOnlySpan<byte> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (classes > byte.MaxValue)
        {
            return;
        }

        int bad = labels.IndexOfAnyInRange((byte)classes, byte.MaxValue);
        if (bad >= 0)
        {
            throw new DataFormatException(path, $"label {labels[bad]} at index {Format.N(bad)} is outside 0..{classes - 1}", null);
        }
    }

    /// <summary>
    /// The class sub-folders of <paramref name="directory"/>, in ordinal order of folder name, which is the
    /// label order: the first folder is class 0. Folders whose name starts with '.' (such as .git) are not classes.
    /// </summary>
    /// <param name="directory">The folder holding one sub-folder per class.</param>
    /// <returns>The full paths of the class folders; empty when there are none.</returns>
    public static IReadOnlyList<string> Folders(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var folders = new List<string>();
        foreach (string folder in Directory.GetDirectories(directory))
        {
            if (!Path.GetFileName(folder).StartsWith('.'))
            {
                folders.Add(folder);
            }
        }

        folders.Sort((a, b) => StringComparer.Ordinal.Compare(Path.GetFileName(a), Path.GetFileName(b)));
        return folders;
    }

    /// <summary>
    /// Throws when <paramref name="folderCount"/> class folders cannot be labelled 0..<paramref name="classes"/> - 1,
    /// naming the first folder whose label would be outside (its index in ordinal order is its label).
    /// </summary>
    /// <param name="directory">The folder holding the class folders, for the message.</param>
    /// <param name="folders">The class folders, as <see cref="Folders"/> lists them.</param>
    /// <param name="classes">K, the number of classes.</param>
    /// <exception cref="DataFormatException">There are more than K class folders.</exception>
    public static void CheckFolders(string directory, IReadOnlyList<string> folders, int classes)
    {
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (folders.Count > classes)
        {
            throw new DataFormatException(
                folders[classes],
                $"class folder {classes} (in ordinal order of the {folders.Count} folders in {directory}) is outside 0..{classes - 1}: " +
                $"a model of {classes} classes takes at most {classes} class folders",
                null);
        }
    }
}
