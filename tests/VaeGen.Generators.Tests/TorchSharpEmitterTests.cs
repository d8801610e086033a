// Hand-made driver (GeneratorHarness), not the official test framework: snapshot tests (Harness/Snapshot.cs)
// with a line diff and VAEGEN_ACCEPT_SNAPSHOTS, against the real TorchSharp assembly; the framework compares generated sources whole.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>The TorchSharp backend: snapshots of the emitted classes, the shape guard's messages, and the error surface.</summary>
public class TorchSharpEmitterTests
{
    public static readonly TheoryData<string> Specs = new()
    {
        "specs/seed000.vae.yaml", "specs/seed002_rgb64.vae.yaml", "specs/fashion_mlp.vae.yaml", "specs/fashion_conv.vae.yaml", "Specs/parity_layers.vae.yaml", "Specs/init_schemes.vae.yaml", "Specs/parity_v11.vae.yaml",
        "Specs/gaussian_learned.vae.yaml", "Specs/gaussian_fixed.vae.yaml", "Specs/kl_warmup.vae.yaml", "Specs/kl_capacity.vae.yaml", "Specs/condition.vae.yaml",
    };

    private static GeneratorHarness Harness(string relativePath, string? text = null, params string[] sources)
    {
        text ??= File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath));
        return new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/" + relativePath, text) }, null, sources).WithTorchSharp();
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Generated_class_matches_its_snapshot(string spec)
    {
        var result = Harness(spec).Run();
        Assert.Empty(result.Diagnostics);
        Snapshot.Match(Path.GetFileName(spec).Replace(".vae.yaml", ".TorchSharp.g.cs"), Assert.Single(result.GeneratedSources).SourceText.ToString());
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
                        using var model = new ComboCvae();
                        var x = TorchSharp.torch.rand(2, 1, 6, 6);
                        // Labels of class 0 (torch.tensor(long[]) would do, but its Complex overloads warn CS1701 in this bare compilation).
                        var labels = TorchSharp.torch.zeros(2, dtype: TorchSharp.torch.int64);
                        var (total, recon, kl) = model.Loss(x, labels, step: 3);
                        var (reconstruction, mu, logVar) = model.call(x, labels);
                        var terms = model.Loss(x, labels, TorchSharp.torch.randn(2, 2), step: 3);
                        System.Console.WriteLine(total.item<float>() + terms.Total.item<float>() + reconstruction.shape.Length + model.Sample(labels).shape.Length);
                    }
                }
            }
            """);
        var result = harness.Run();
        Assert.Empty(result.Diagnostics);
        Assert.Contains("public sealed partial class ComboCvae : global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor, ", Assert.Single(result.GeneratedSources).SourceText.ToString());
        Assert.Empty(harness.CompileDiagnostics().Select(GeneratorHarness.Format));
    }

    [Fact]
    public void A_broken_spec_gets_a_throwing_module_surface_whose_use_is_one_error_naming_the_spec_error()
    {
        string broken = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", "seed000.vae.yaml")).Replace("padding: 1, activation: relu", "padding: 0, activation: relu");
        var harness = Harness("specs/seed000.vae.yaml", broken,
            """
            namespace Consumer
            {
                internal static class Program
                {
                    private static void Main()
                    {
                        using var model = new VaeGen.Specs.SeedVae();
                        var (total, recon, kl) = model.Loss(TorchSharp.torch.randn(new long[] { 4, 5, 5, 3 }));
                        System.Console.WriteLine(model.Sample(8).shape.Length);
                    }
                }
            }
            """);
        var result = harness.Run();
        Assert.Empty(result.Diagnostics); // the spec's VAE2001 is SpecAnalyzer's to report
        // The module's surface is all there: the one error is the compiler's VAE9004 at the use of the class.
        var use = Assert.Single(harness.CompileDiagnostics());
        Assert.Equal("VAE9004", use.Id);
        Assert.Contains("SeedVae cannot be used: seed000.vae.yaml(", use.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Snapshot.Match("seed000_broken.ErrorSurface.g.cs", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void Without_either_backend_library_only_the_constants_are_generated()
    {
        var result = new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", TestSpecs.Read("fashion_mlp.vae.yaml")) }).WithoutRuntime().Run();
        Snapshot.Match("fashion_mlp.Constants.g.cs", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Theory]
    [InlineData(new long[] { 8, 3, 5, 5 }, "x.permute(0, 2, 3, 1) gives (B, 5, 5, 3)")]
    [InlineData(new long[] { 8, 5, 3, 5 }, "x.permute(0, 1, 3, 2) gives (B, 5, 5, 3)")]
    [InlineData(new long[] { 5, 5, 3 }, "add the batch dimension: x.unsqueeze(0)")]
    [InlineData(new long[] { 8, 4, 4, 3 }, "but got (8, 4, 4, 3).")]
    public void The_shape_guard_names_both_shapes_and_the_fixing_permute(long[] actual, string expected)
    {
        string message = DescribeBadInput("specs/seed000.vae.yaml", "VaeGen.Specs.SeedVae", actual);
        Assert.StartsWith("SeedVae expects a batch shaped (B, 5, 5, 3) (nhwc: batch, height, width, channels), but got (" + string.Join(", ", actual) + ").", message);
        Assert.Contains(expected, message);
        if (actual.SequenceEqual(new long[] { 8, 4, 4, 3 }))
        {
            Assert.DoesNotContain("permute", message);
        }
    }

    [Fact]
    public void The_shape_guard_of_a_channels_first_spec_points_channels_last_data_back()
    {
        string nchw = "name: Chw\ninput: { shape: [3, 32, 32] }\nlatent: 8\nencoder: [flatten, { linear: { out: 16 } }]\ndecoder: [{ linear: { out: 3072 } }, { unflatten: [3, 32, 32] }]\n";
        string message = DescribeBadInput("specs/chw.vae.yaml", "Consumer.Chw", new long[] { 2, 32, 32, 3 }, nchw);
        Assert.Contains("(channels-last data?): x.permute(0, 3, 1, 2) gives (B, 3, 32, 32).", message);
    }

    /// <summary>Compiles the generated class against TorchSharp, loads it, and calls its private DescribeBadInput.</summary>
    private static string DescribeBadInput(string spec, string typeName, long[] actual, string? text = null)
    {
        var harness = Harness(spec, text);
        harness.Run();
        using var image = new MemoryStream();
        var emit = harness.Output.Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Select(GeneratorHarness.Format)));

        var context = new AssemblyLoadContext("generated-" + Guid.NewGuid(), isCollectible: true);
        context.Resolving += (ctx, name) => name.Name == "TorchSharp" ? ctx.LoadFromAssemblyPath(GeneratorHarness.TorchSharpPath) : null;
        try
        {
            image.Position = 0;
            var type = context.LoadFromStream(image).GetType(typeName, throwOnError: true)!;
            var method = type.GetMethod("DescribeBadInput", BindingFlags.NonPublic | BindingFlags.Static)!;
            return (string)method.Invoke(null, new object[] { actual })!;
        }
        finally
        {
            context.Unload();
        }
    }
}
