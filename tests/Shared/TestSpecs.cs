using System;

namespace VaeGen.Testing;

/// <summary>
/// The spec files a test project copies next to its assembly, into <c>specs/</c> (the shipped
/// <c>specs/*.vae.yaml</c>, plus test specs such as <c>parity_layers.vae.yaml</c> where the project file
/// links them there): the same files the generator read when the project was built.
/// </summary>
internal static class TestSpecs
{
    /// <summary>The path of a spec in the test output's <c>specs/</c> folder.</summary>
    public static string Path(string fileName) => System.IO.Path.Combine(AppContext.BaseDirectory, "specs", fileName);

    /// <summary>The text of a spec in the test output's <c>specs/</c> folder.</summary>
    public static string Read(string fileName) => System.IO.File.ReadAllText(Path(fileName));
}
