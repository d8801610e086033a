// Hand-made driver (GeneratorHarness), not the official test framework: snapshot tests (Harness/Snapshot.cs)
// with a line diff and VAEGEN_ACCEPT_SNAPSHOTS; the framework compares generated sources whole, without either.
using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>The managed backend: snapshots of the emitted classes, and that they and code using them compile without warnings.</summary>
public class ManagedEmitterTests
{
    public static readonly TheoryData<string> Specs = new()
    {
        "specs/seed000.vae.yaml", "specs/seed002_rgb64.vae.yaml", "specs/fashion_mlp.vae.yaml", "specs/fashion_conv.vae.yaml", "Specs/parity_layers.vae.yaml", "Specs/init_schemes.vae.yaml", "Specs/parity_v11.vae.yaml",
        "Specs/gaussian_learned.vae.yaml", "Specs/gaussian_fixed.vae.yaml", "Specs/kl_warmup.vae.yaml", "Specs/kl_capacity.vae.yaml", "Specs/condition.vae.yaml",
    };

    private const string UsesTheModel =
        """
        namespace Consumer
        {
            internal static class Program
            {
                private static void Main()
                {
                    var model = new VaeGen.Specs.FashionMlpVae(seed: 42);
                    var batch = VaeGen.Specs.FashionMlpVae.CreateBatch(16);
                    VaeGen.Runtime.Models.LossTerms terms = model.TrainStep(batch);
                    var (reconstruction, mu, logVar) = model.Forward(batch);
                    System.Console.WriteLine(terms.Total + reconstruction.Length + mu.Length + logVar.Length + model.Sample(4).Length);
                    model.SaveWeights("weights.safetensors");
                }
            }
        }
        """;

    private static GeneratorHarness Harness(string relativePath, string? text = null, params string[] sources)
    {
        text ??= File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath));
        return new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/" + relativePath, text) }, null, sources);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Generated_class_matches_its_snapshot_and_compiles_without_warnings(string spec)
    {
        var harness = Harness(spec);
        var result = harness.Run();
        Assert.Empty(result.Diagnostics);
        Snapshot.Match(Path.GetFileName(spec).Replace(".vae.yaml", ".Managed.g.cs"), Assert.Single(result.GeneratedSources).SourceText.ToString());
        AssertCompilesClean(harness);
    }

    [Fact]
    public void User_code_trains_samples_and_saves_through_the_generated_class()
    {
        var harness = Harness("specs/fashion_mlp.vae.yaml", null, UsesTheModel);
        harness.Run();
        AssertCompilesClean(harness);
    }

    [Fact]
    public void A_broken_spec_gets_a_stand_in_with_the_whole_surface_and_each_use_is_an_error_naming_the_spec_error()
    {
        string broken = TestSpecs.Read("fashion_mlp.vae.yaml").Replace("unflatten: [1, 28, 28]", "unflatten: [1, 28, 27]");
        var harness = Harness("specs/fashion_mlp.vae.yaml", broken, UsesTheModel);
        var result = harness.Run();
        Assert.Empty(result.Diagnostics); // the spec's VAE2008 is SpecAnalyzer's to report

        // The code written against the real class binds to the stand-in (no CS0117, CS1061, ...): the only
        // errors are the compiler's VAE9004 at each use of the class, quoting the spec's first error.
        var problems = harness.CompileDiagnostics();
        Assert.Equal(2, problems.Length); // new FashionMlpVae(...) and FashionMlpVae.CreateBatch(...)
        Assert.All(problems, d =>
        {
            Assert.Equal("VAE9004", d.Id);
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.StartsWith("'FashionMlpVae' is obsolete: 'FashionMlpVae cannot be used: fashion_mlp.vae.yaml(18,16): error VAE2008: fashion_mlp.vae.yaml, decoder[2].unflatten: ",
                d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        });
        Snapshot.Match("fashion_mlp_broken.ManagedErrorSurface.g.cs", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void Output_is_deterministic()
    {
        string first = Assert.Single(Harness("specs/fashion_conv.vae.yaml").Run().GeneratedSources).SourceText.ToString();
        string second = Assert.Single(Harness("specs/fashion_conv.vae.yaml").Run().GeneratedSources).SourceText.ToString();
        Assert.Equal(first, second);
    }

    [Fact]
    public void The_README_example_compiles_against_the_generated_class()
    {
        string readme = File.ReadAllText(Repository.Path("README.md"));
        int section = readme.IndexOf("### A managed model", StringComparison.Ordinal);
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        string example = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var harness = Harness("specs/fashion_conv.vae.yaml", null, example).WithData();
        harness.Run();
        AssertCompilesClean(harness);
    }

    [Fact]
    public void A_conditional_class_with_a_kl_schedule_and_a_learned_sigma_is_used_with_labels_without_warnings()
    {
        var harness = Harness("specs/combo.vae.yaml", SpecTexts.ConditionalCombination,
            """
            namespace Consumer
            {
                internal static class Program
                {
                    private static void Main()
                    {
                        var model = new ComboCvae(seed: 1);
                        var x = ComboCvae.CreateBatch(2);
                        int[] labels = { 0, ComboCvae.ConditionClasses - 1 };
                        var terms = model.TrainStep(x, labels);
                        var (mu, logVar) = model.Encode(x, labels);
                        var images = model.Sample(new[] { 0, 1, 2 });
                        System.Console.WriteLine(terms.Total + mu.Length + logVar.Length + images.Length + model.Decode(mu, labels).Length);
                    }
                }
            }
            """);
        Assert.Empty(harness.Run().Diagnostics);
        AssertCompilesClean(harness);
    }

    private static void AssertCompilesClean(GeneratorHarness harness)
    {
        var problems = harness.CompileDiagnostics().Select(GeneratorHarness.Format).ToArray();
        if (problems.Length > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, problems));
        }
    }
}
