using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using VaeGen.Generators.Diagnostics;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Spec.Diagnostics;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>
/// What the generator reports, under the official test framework (CSharpSourceGeneratorTest): none of the
/// spec diagnostics (SpecAnalyzer reports them, SpecAnalyzerTests), and the compiler's VAE9004 at each use of
/// a broken spec's stand-in. Any diagnostic not expected here, the generator's or the compiler's, fails the test.
/// The unreadable file and cancellation stay hand-made (GeneratorDriverTests).
/// </summary>
public class GeneratorDiagnosticTests
{
    /// <summary>A kernel too large at line 6, column 31 (VAE2001); SpecAnalyzerTests checks the same spec.</summary>
    internal const string BrokenSpec = """
        name: Broken
        input: { shape: [1, 8, 8] }
        latent: 4
        encoder:
          - maxpool2d: { kernel: 2 }
          - conv2d: { out: 8, kernel: 5 }
          - flatten
        decoder:
          - linear: { out: 64 }
          - unflatten: [1, 8, 8]
        """;

    private static readonly string Mlp = TestSpecs.Read("fashion_mlp.vae.yaml");

    /// <summary>The spec's diagnostics are SpecAnalyzer's; the generator emits the stand-in, whose use is the compiler's VAE9004 naming the first error.</summary>
    [Fact]
    public async Task A_broken_spec_gets_a_stand_in_naming_its_first_error_and_no_generator_diagnostic()
    {
        var test = FrameworkTest.Generator(new[] { ("/repo/specs/broken.vae.yaml", BrokenSpec) },
            program: "internal static class Program { private static void Main() { System.Console.WriteLine(typeof(Consumer.Broken)); } }");
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("VAE9004").WithSpan("/repo/Program.cs", 1, 94, 1, 109));
        test.MessagesContain("VAE9004", "Broken cannot be used: broken.vae.yaml(6,31): error VAE2001: broken.vae.yaml, encoder[1].conv2d.kernel: ");
        await test.RunAsync();
    }

    [Fact]
    public async Task Same_named_spec_files_in_two_folders_both_generate()
    {
        string other = Mlp.Replace("name: FashionMlpVae", "name: OtherMlpVae");
        // Both classes exist (no CS0234), each once (no CS0101).
        await FrameworkTest.Generator(new[] { ("/repo/a/model.vae.yaml", Mlp), ("/repo/b/model.vae.yaml", other) },
            program: "internal static class Program { private const int Sum = VaeGen.Specs.FashionMlpVae.LatentDim + VaeGen.Specs.OtherMlpVae.LatentDim; private static void Main() { } }").RunAsync();
    }

    /// <summary>Of two specs generating one class only the first (by path) is emitted (no CS0101); SpecAnalyzer reports VAE1109 on both.</summary>
    [Fact]
    public async Task Two_specs_generating_the_same_class_emit_it_once()
    {
        await FrameworkTest.Generator(new[] { ("/repo/a/model.vae.yaml", Mlp), ("/repo/b/model.vae.yaml", Mlp) },
            program: "internal static class Program { private const int Latent = VaeGen.Specs.FashionMlpVae.LatentDim; private static void Main() { } }").RunAsync();
    }

    [Fact]
    public void Descriptors_agree_with_the_catalog()
    {
        Assert.Equal(DiagnosticRules.All.Select(r => r.Id), DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal));
        foreach (var rule in DiagnosticRules.All)
        {
            var descriptor = DiagnosticDescriptors.For(rule.Id);
            Assert.Equal(rule.Id, descriptor.Id);
            Assert.Equal(rule.Title, descriptor.Title.ToString());
            Assert.Equal("VaeGen." + rule.Category, descriptor.Category);
            Assert.Equal(rule.Severity == Severity.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, descriptor.DefaultSeverity);
        }
    }

    [Fact]
    public void Release_tracking_lists_every_rule()
    {
        var lines = File.ReadAllLines(Repository.Path("generators", "VaeGen.Generators", "AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("VAE", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(p => p.Trim()).ToArray())
            .ToArray();
        Assert.Equal(DiagnosticRules.All.Select(r => r.Id), lines.Select(l => l[0]));
        foreach (var (rule, line) in DiagnosticRules.All.Zip(lines))
        {
            Assert.Equal("VaeGen." + rule.Category, line[1]);
            Assert.Equal(rule.Severity.ToString(), line[2]);
        }
    }
}
