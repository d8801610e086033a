using System;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using VaeGen.Generators.Diagnostics;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Spec.Diagnostics;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

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

    /// <summary>The spec's diagnostics are SpecAnalyzer's (SpecAnalyzerTests); the generator emits the stand-in and reports nothing.</summary>
    [Fact]
    public void A_broken_spec_gets_a_stand_in_naming_its_first_error_and_no_generator_diagnostic()
    {
        var result = new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/specs/broken.vae.yaml", BrokenSpec) }).Run();

        Assert.Empty(result.Diagnostics);
        var surface = Assert.Single(result.GeneratedSources);
        Assert.Equal("Consumer.Broken.g.cs", surface.HintName);
        string text = surface.SourceText.ToString();
        Assert.Contains("[global::System.Obsolete(\"Broken cannot be used: broken.vae.yaml(6,31): error VAE2001: broken.vae.yaml, encoder[1].conv2d.kernel: ", text);
        Assert.Contains("DiagnosticId = \"VAE9004\"", text);
    }

    [Fact]
    public void A_broken_spec_does_not_stop_the_others()
    {
        var result = new GeneratorHarness(new AdditionalText[]
        {
            new InMemoryAdditionalText("/repo/specs/broken.vae.yaml", BrokenSpec),
            new UnreadableAdditionalText("/repo/specs/unreadable.vae.yaml"),
            new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", GeneratorHarness.ShippedSpec("fashion_mlp.vae.yaml")),
        }).Run();

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics); // VAE2001 and the unreadable file's VAE9001 are SpecAnalyzer's (SpecAnalyzerTests)
        Assert.Equal(new[] { "Consumer.Broken.g.cs", "VaeGen.Specs.FashionMlpVae.g.cs" },
            result.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Same_named_spec_files_in_two_folders_both_generate()
    {
        string other = GeneratorHarness.ShippedSpec("fashion_mlp.vae.yaml").Replace("name: FashionMlpVae", "name: OtherMlpVae");
        var result = new GeneratorHarness(new[]
        {
            new InMemoryAdditionalText("/repo/a/model.vae.yaml", GeneratorHarness.ShippedSpec("fashion_mlp.vae.yaml")),
            new InMemoryAdditionalText("/repo/b/model.vae.yaml", other),
        }).Run();
        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    /// <summary>Of two specs generating one class only the first (by path) is emitted; SpecAnalyzer reports VAE1109 on both.</summary>
    [Fact]
    public void Two_specs_generating_the_same_class_emit_it_once()
    {
        string spec = GeneratorHarness.ShippedSpec("fashion_mlp.vae.yaml");
        var result = new GeneratorHarness(new[]
        {
            new InMemoryAdditionalText("/repo/a/model.vae.yaml", spec),
            new InMemoryAdditionalText("/repo/b/model.vae.yaml", spec),
        }).Run();

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/specs/seed.vae.yaml", GeneratorHarness.ShippedSpec("seed000.vae.yaml")) });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => harness.Driver.RunGenerators(harness.Compilation, cancelled.Token));
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
