using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using VaeGen.Generators.Tests.Harness;

namespace VaeGen.Generators.Tests;

/// <summary>
/// Shared set-up of the official test framework (Microsoft.CodeAnalysis.*.Testing 1.1.4) for
/// <see cref="SpecAnalyzerTests"/> and the generator's diagnostic tests: the test host's own framework
/// assemblies (no reference-assembly package download), specs as additional files, build properties
/// as a global analyzer config.
/// </summary>
internal static class FrameworkTest
{
    public static readonly ReferenceAssemblies ReferenceAssemblies = new("net10.0");

    public static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray());

    /// <summary>
    /// <see cref="VaeGenerator"/> over <paramref name="files"/>, with VaeGen.Runtime referenced unless
    /// <paramref name="withRuntime"/> is false, the given build properties (RootNamespace is Consumer), and
    /// <paramref name="program"/> as the user's C#. The project's parse options define NET5_0_OR_GREATER, as
    /// the SDK does for net10.0, so a broken spec's stand-in carries its DiagnosticId. Generated sources are
    /// not compared here (TestBehaviors.SkipGeneratedSourcesCheck): the snapshots pin them (TorchSharpEmitterTests,
    /// ManagedEmitterTests); these tests pin the diagnostics, the generator's and the compiler's.
    /// </summary>
    public static CSharpSourceGeneratorTest<VaeGenerator, DefaultVerifier> Generator(
        (string Path, string Text)[] files, string? backend = null, bool withRuntime = true, string program = "internal static class Program { private static void Main() { } }")
    {
        var test = new CSharpSourceGeneratorTest<VaeGenerator, DefaultVerifier>
        {
            ReferenceAssemblies = ReferenceAssemblies,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
        };
        test.TestState.Sources.Add(("/repo/Program.cs", program));
        test.TestState.AdditionalReferences.AddRange(FrameworkReferences.Value);
        if (withRuntime)
        {
            test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(GeneratorHarness.RuntimePath));
        }

        string config = "is_global = true\nbuild_property.RootNamespace = Consumer\n" + (backend is null ? "" : "build_property.VaeGenBackend = " + backend + "\n");
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", config));
        foreach (var (path, text) in files)
        {
            test.TestState.AdditionalFiles.Add((path, text));
        }

        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!;
            return solution.WithProjectParseOptions(projectId, options.WithPreprocessorSymbols(GeneratorHarness.ParseOptions.PreprocessorSymbolNames));
        });
        return test;
    }

    /// <summary>Each reported diagnostic with ID <paramref name="id"/> must have a message containing every one of <paramref name="parts"/>
    /// (the framework compares a message only whole; these tests pin the parts that matter).</summary>
    public static void MessagesContain(this CSharpSourceGeneratorTest<VaeGenerator, DefaultVerifier> test, string id, params string[] parts)
    {
        var previous = test.DiagnosticVerifier;
        test.DiagnosticVerifier = (diagnostic, expected, verifier) =>
        {
            previous?.Invoke(diagnostic, expected, verifier);
            if (diagnostic.Id == id)
            {
                string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                foreach (string part in parts)
                {
                    verifier.True(message.Contains(part, StringComparison.Ordinal), id + " message \"" + message + "\" should contain \"" + part + "\"");
                }
            }
        };
    }
}
