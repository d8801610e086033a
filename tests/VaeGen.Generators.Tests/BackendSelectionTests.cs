using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>
/// Backend choice without TorchSharp referenced, with and without VaeGen.Runtime (the TorchSharp surface tests
/// cover the referenced case), under the official test framework: VAE9002/VAE9003 by ID, severity and span in
/// the spec, and the user's code compiled against what was generated.
/// </summary>
public class BackendSelectionTests
{
    private const string SpecPath = "/repo/specs/fashion_mlp.vae.yaml";

    private static readonly string Mlp = TestSpecs.Read("fashion_mlp.vae.yaml");

    /// <summary>The managed model, quiet; the class is a VaeModel (else CS0029 here); fashion_mlp.Managed.g.cs pins the rest.</summary>
    [Fact]
    public async Task Without_TorchSharp_the_default_is_the_managed_model_and_quiet()
    {
        await FrameworkTest.Generator(new[] { (SpecPath, Mlp) },
            program: "internal static class Program { private static VaeGen.Runtime.Models.VaeModel Upcast(VaeGen.Specs.FashionMlpVae model) => model; private static void Main() { } }").RunAsync();
    }

    /// <summary>The constants-only class still has LatentDim as a constant (it compiles in a const); fashion_mlp.Constants.g.cs pins its value and the rest.</summary>
    [Theory]
    [InlineData(null, "TorchSharp is not referenced, so the managed backend is chosen")]
    [InlineData("Managed", "the VaeGenBackend property selects the managed backend")]
    public async Task The_managed_backend_without_the_runtime_warns_and_says_what_to_add(string? property, string why)
    {
        var test = FrameworkTest.Generator(new[] { (SpecPath, Mlp) }, property, withRuntime: false,
            program: "internal static class Program { private const int Latent = VaeGen.Specs.FashionMlpVae.LatentDim; private static void Main() { } }");
        // At the spec's name (line 3).
        test.ExpectedDiagnostics.Add(new DiagnosticResult("VAE9002", DiagnosticSeverity.Warning).WithSpan(SpecPath, 3, 7, 3, 20));
        test.MessagesContain("VAE9002", why, "reference the VaeGen.Runtime package");
        await test.RunAsync();
    }

    [Fact]
    public async Task Choosing_torchsharp_without_a_reference_is_an_error_that_says_what_to_add()
    {
        var test = FrameworkTest.Generator(new[] { (SpecPath, Mlp) }, "TorchSharp", withRuntime: false);
        test.ExpectedDiagnostics.Add(new DiagnosticResult("VAE9003", DiagnosticSeverity.Error).WithSpan(SpecPath, 3, 7, 3, 20));
        test.MessagesContain("VAE9003", "TorchSharp-cpu");
        await test.RunAsync();
    }

    [Fact]
    public async Task The_spec_backend_key_overrides_the_property()
    {
        var test = FrameworkTest.Generator(new[] { (SpecPath, Mlp.Replace("latent: 20", "latent: 20\nbackend: torchsharp")) }, "Managed", withRuntime: false);
        test.ExpectedDiagnostics.Add(new DiagnosticResult("VAE9003", DiagnosticSeverity.Error).WithSpan(SpecPath, 3, 7, 3, 20));
        test.MessagesContain("VAE9003", "the spec's backend: key");
        await test.RunAsync();
    }

    /// <summary>
    /// No generator diagnostic (the spec's VAE2008 is SpecAnalyzer's to report); each use is the compiler's VAE9004 in
    /// Program.cs, and there is no CS0117: LatentDim is there. fashion_mlp_broken.ManagedErrorSurface.g.cs pins the stand-in,
    /// SpecErrors included.
    /// </summary>
    [Fact]
    public async Task A_broken_spec_keeps_its_constants_and_each_use_is_an_error_naming_the_spec_error()
    {
        string broken = Mlp.Replace("unflatten: [1, 28, 28]", "unflatten: [1, 28, 27]");
        var test = FrameworkTest.Generator(new[] { (SpecPath, broken) },
            program: "namespace Consumer { internal static class Program { private static void Main() { System.Console.WriteLine(VaeGen.Specs.FashionMlpVae.LatentDim + VaeGen.Specs.FashionMlpVae.SpecErrors); } } }");
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("VAE9004").WithSpan("/repo/Program.cs", 1, 108, 1, 134));
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("VAE9004").WithSpan("/repo/Program.cs", 1, 147, 1, 173));
        test.MessagesContain("VAE9004", "FashionMlpVae cannot be used: fashion_mlp.vae.yaml(18,16): error VAE2008:");
        await test.RunAsync();
    }
}
