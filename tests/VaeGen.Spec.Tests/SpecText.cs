using System;
using System.IO;
using System.Linq;
using VaeGen.Spec.Checking;

namespace VaeGen.Spec.Tests;

/// <summary>Helpers to check inline YAML and shipped files.</summary>
internal static class SpecText
{
    public const string TestPath = "/repo/specs/test.vae.yaml";

    public static SpecCheckResult Check(string yaml) => SpecChecker.Check(TestPath, yaml);

    public static string CasePath(string fileName) => Path.Combine(AppContext.BaseDirectory, "Cases", fileName);

    public static SpecCheckResult CheckFile(string path) => SpecChecker.Check(path, File.ReadAllBytes(path));

    public static string Describe(SpecCheckResult result) =>
        result.Diagnostics.Count == 0 ? "(no diagnostics)" : string.Join(Environment.NewLine, result.Diagnostics.Select(d => d.ToString()));
}
