using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using VaeGen.Generators.Tests.Harness;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>Backend choice without TorchSharp referenced, with and without VaeGen.Runtime (the TorchSharp surface tests cover the referenced case).</summary>
public class BackendSelectionTests
{
    private static GeneratorRunResult Run(string yaml, string? backendProperty)
    {
        var properties = new Dictionary<string, string> { ["build_property.RootNamespace"] = "Consumer" };
        if (backendProperty is not null)
        {
            properties["build_property.VaeGenBackend"] = backendProperty;
        }

        return new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", yaml) }, properties).WithoutRuntime().Run();
    }

    private static readonly string Mlp = GeneratorHarness.ShippedSpec("fashion_mlp.vae.yaml");

    [Fact]
    public void Without_TorchSharp_the_default_is_the_managed_model_and_quiet()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", Mlp) });
        var result = harness.Run();
        Assert.Empty(result.Diagnostics);
        Assert.Contains("public sealed partial class FashionMlpVae : global::VaeGen.Runtime.Models.VaeModel", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Theory]
    [InlineData(null, "TorchSharp is not referenced, so the managed backend is chosen")]
    [InlineData("Managed", "the VaeGenBackend property selects the managed backend")]
    public void The_managed_backend_without_the_runtime_warns_and_says_what_to_add(string? property, string why)
    {
        var result = Run(Mlp, property);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("VAE9002", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(2, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // at the spec's name
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(why, message);
        Assert.Contains("add a PackageReference to VaeGen.Runtime", message);
        Assert.Contains("public const int LatentDim = 20;", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void Choosing_torchsharp_without_a_reference_is_an_error_that_says_what_to_add()
    {
        var diagnostic = Assert.Single(Run(Mlp, "TorchSharp").Diagnostics);
        Assert.Equal("VAE9003", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("TorchSharp-cpu", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_spec_backend_key_overrides_the_property()
    {
        var result = Run(Mlp.Replace("latent: 20", "latent: 20\nbackend: torchsharp"), "Managed");
        Assert.Equal("VAE9003", Assert.Single(result.Diagnostics).Id);
        Assert.Contains("the spec's backend: key", result.Diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_broken_spec_keeps_its_constants_and_each_use_is_an_error_naming_the_spec_error()
    {
        string broken = Mlp.Replace("unflatten: [1, 28, 28]", "unflatten: [1, 28, 27]");
        var harness = new GeneratorHarness(
            new[] { new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", broken) },
            null,
            "namespace Consumer { internal static class Program { private static void Main() { System.Console.WriteLine(VaeGen.Specs.FashionMlpVae.LatentDim + VaeGen.Specs.FashionMlpVae.SpecErrors); } } }");
        var result = harness.Run();
        Assert.Empty(result.Diagnostics); // the spec's VAE2008 is SpecAnalyzer's to report
        var uses = harness.CompileDiagnostics();
        Assert.Equal(2, uses.Length); // no CS0117: LatentDim is there
        Assert.All(uses, d => Assert.Contains("FashionMlpVae cannot be used: fashion_mlp.vae.yaml(18,16): error VAE2008:", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(uses, d => Assert.Equal("VAE9004", d.Id));
        Assert.All(uses, d => Assert.Equal("/repo/Program0.cs", d.Location.GetLineSpan().Path));
        Assert.Contains("\\nerror VAE2008: fashion_mlp.vae.yaml, decoder[2].unflatten: ", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }
}
