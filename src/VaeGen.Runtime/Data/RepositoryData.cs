using System;
using System.IO;

namespace VaeGen.Runtime.Data;

/// <summary>Finds the data committed under <c>data/</c> in a VaeGen checkout, from tests, tools and examples run inside it.</summary>
public static class RepositoryData
{
    /// <summary>The file that marks the repository root.</summary>
    public const string RootMarker = "VaeGen.sln";

    /// <summary>
    /// The nearest directory at or above <paramref name="start"/> (default
    /// <see cref="AppContext.BaseDirectory"/>, where build output lives inside the checkout) that
    /// holds <see cref="RootMarker"/>, or null when there is none.
    /// </summary>
    /// <param name="start">Where to start looking.</param>
    public static string? FindRoot(string? start = null)
    {
        for (DirectoryInfo? dir = new(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, RootMarker)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>
    /// The directory <c>data/<paramref name="name"/></c> of the repository found by
    /// <see cref="FindRoot"/>, or null when there is no repository or no such directory.
    /// </summary>
    /// <param name="name">The data set's directory name, e.g. <c>fashion-mnist</c>.</param>
    /// <param name="start">Where to start looking for the repository root.</param>
    public static string? Find(string name, string? start = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string? root = FindRoot(start);
        if (root is null)
        {
            return null;
        }

        string dir = Path.Combine(root, "data", name);
        return Directory.Exists(dir) ? dir : null;
    }
}
