using System;
using System.IO;
using VaeGen.Testing;

namespace VaeGen.Editor.Tests;

/// <summary>Where the real language servers are: .ci/install-editor-servers puts them in the repository's ignored .tools folder.</summary>
internal static class EditorTools
{
    public static string RepoRoot => Repository.Root;

    public static string Schema => Path.Combine(RepoRoot, "schema", "vae.schema.json");

    /// <summary>csharp-ls 0.28.0, a .NET tool installed with --tool-path.</summary>
    public static string CSharpLs => Require(Path.Combine(RepoRoot, ".tools", "csharp-ls", "csharp-ls"), "csharp-ls 0.28.0");

    /// <summary>yaml-language-server 2.0.0 from npm, run with node.</summary>
    public static string YamlLanguageServer => Require(
        Path.Combine(RepoRoot, ".tools", "yaml-ls", "node_modules", "yaml-language-server", "bin", "yaml-language-server"), "yaml-language-server 2.0.0");

    public static string FileUri(string path) => new Uri(path).AbsoluteUri;

    private static string Require(string path, string what) =>
        File.Exists(path) ? path : throw new FileNotFoundException(what + " is not installed at " + path + "; run .ci/install-editor-servers (CI's .ci/run does)");
}
