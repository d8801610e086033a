using System;
using System.IO;

namespace VaeGen.Data;

/// <summary>
/// The data sets committed under <c>data/</c> of a VaeGen source checkout (a Fashion-MNIST subset and
/// RGB photo patches), so that the README's quick start, its managed-model example and the <c>vaegen</c>
/// tool train inside a fresh clone with nothing to download or install.
/// </summary>
public static class CheckoutData
{
    /// <summary>The file that marks a checkout's root.</summary>
    internal const string RootMarker = "VaeGen.sln";

    /// <summary>
    /// The directory <c>data/<paramref name="name"/></c> of the checkout at or above
    /// <paramref name="start"/> (default <see cref="AppContext.BaseDirectory"/>: a program built inside
    /// the checkout finds it from its own output folder), or null outside a checkout or when the
    /// checkout has no such directory.
    /// </summary>
    /// <param name="name">The data set's directory name, e.g. <c>fashion-mnist</c>.</param>
    /// <param name="start">Where to start looking for the checkout's root.</param>
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

    /// <summary>The nearest directory at or above <paramref name="start"/> that holds <see cref="RootMarker"/>, or null.</summary>
    internal static string? FindRoot(string? start = null)
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
}
