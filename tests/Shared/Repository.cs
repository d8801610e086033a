using System;
using System.IO;

namespace VaeGen.Testing;

/// <summary>
/// The VaeGen checkout the tests run in: the nearest folder above the test assembly that holds
/// VaeGen.sln. Test output always lives inside the checkout (bin/ under the test project), so tests
/// reach committed files (specs/, data/, tools/torch/, README.md) through here, never through the
/// shipped runtime.
/// </summary>
internal static class Repository
{
    /// <summary>The file that marks the repository root.</summary>
    public const string RootMarker = "VaeGen.sln";

    private static readonly Lazy<string> FoundRoot = new(() =>
        FindRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"The tests must run inside a VaeGen checkout: no {RootMarker} above {AppContext.BaseDirectory}."));

    /// <summary>The repository root; throws when the tests do not run inside a checkout.</summary>
    public static string Root => FoundRoot.Value;

    /// <summary>A path below the repository root, e.g. <c>Repository.Path("specs", "fashion_mlp.vae.yaml")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds <see cref="RootMarker"/>, or null.</summary>
    public static string? FindRoot(string start)
    {
        for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, RootMarker)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
