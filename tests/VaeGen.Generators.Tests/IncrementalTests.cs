// Hand-made driver (GeneratorHarness), not the official test framework: these tests read the driver's
// step-level run results (TrackingNames, cached/unchanged outputs) across runs, which the framework does not expose.
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using VaeGen.Generators.Pipeline;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

public class IncrementalTests
{
    private static readonly string[] Steps =
        { TrackingNames.Options, TrackingNames.BackendReferences, TrackingNames.SpecFiles, TrackingNames.CheckedSpecs, TrackingNames.Targets, TrackingNames.EmitModels, TrackingNames.BackendDiagnostics };

    private static (GeneratorHarness Harness, InMemoryAdditionalText Seed, InMemoryAdditionalText Mlp) TwoSpecs(bool torchSharp = false)
    {
        var seed = new InMemoryAdditionalText("/repo/specs/seed000.vae.yaml", TestSpecs.Read("seed000.vae.yaml"));
        var mlp = new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", TestSpecs.Read("fashion_mlp.vae.yaml"));
        var harness = new GeneratorHarness(new[] { seed, mlp });
        return (torchSharp ? harness.WithTorchSharp() : harness, seed, mlp);
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_unrelated_CSharp_edit_leaves_every_step_cached(bool torchSharp)
    {
        var (harness, _, _) = TwoSpecs(torchSharp);
        harness.Run();
        var tree = harness.Compilation.SyntaxTrees.First();
        harness.ReplaceCompilation(harness.Compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Program { private static void Main() { System.Console.WriteLine(1); } } }", GeneratorHarness.ParseOptions, tree.FilePath)));
        var second = harness.Run();

        foreach (var step in Steps)
        {
            Assert.All(Outputs(second, step), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + ": " + o.Reason));
        }

        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Editing_one_spec_reruns_only_that_spec(bool torchSharp)
    {
        var (harness, seed, _) = TwoSpecs(torchSharp);
        harness.Run();
        harness.ReplaceSpec(seed, new InMemoryAdditionalText(seed.Path, seed.Content.Replace("latent: 128", "latent: 64")));
        var second = harness.Run();

        var checkedReasons = Outputs(second, TrackingNames.CheckedSpecs).ToArray();
        Assert.Equal(1, checkedReasons.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(1, checkedReasons.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        var modified = (VaeGen.Spec.Checking.SpecCheckResult)checkedReasons.Single(o => o.Reason == IncrementalStepRunReason.Modified).Value;
        Assert.Equal("/repo/specs/seed000.vae.yaml", modified.FilePath);
        Assert.Contains("LatentDim = 64", second.GeneratedSources.Single(s => s.HintName.Contains("SeedVae")).SourceText.ToString());
        var emitted = second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.Equal(1, emitted.Count(r => r == IncrementalStepRunReason.Modified)); // only the edited spec's source
    }

    [Fact]
    public void Editing_only_a_comment_does_not_re_emit()
    {
        var (harness, seed, _) = TwoSpecs();
        harness.Run();
        harness.ReplaceSpec(seed, new InMemoryAdditionalText(seed.Path, "# a new comment line shifts every position\n" + seed.Content));
        var second = harness.Run();

        // The check re-runs (positions moved), but the emit model holds no positions, so it is unchanged.
        Assert.Contains(Outputs(second, TrackingNames.CheckedSpecs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(Outputs(second, TrackingNames.EmitModels), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Theory]
    [InlineData("unflatten: [1, 28, 27]", "unflatten: [1, 28, 27]  # a comment after the error")]
    [InlineData("unflatten: [1, 28, 27]", "unflatten: [1, 28, 27]\n\n# blank lines and a comment below the error\n")]
    public void Editing_only_a_comment_below_the_first_error_of_a_broken_spec_does_not_re_emit(string anchor, string replacement)
    {
        // The broken spec's class is the stand-in, which quotes its errors by file and YAML path and,
        // in its Obsolete message, the first error's line and column: text moving below that error
        // leaves the class as it was.
        var (harness, _, mlp) = TwoSpecs();
        var broken = new InMemoryAdditionalText(mlp.Path, mlp.Content.Replace("unflatten: [1, 28, 28]", "unflatten: [1, 28, 27]"));
        harness.ReplaceSpec(mlp, broken);
        var first = harness.Run();
        string surface = first.GeneratedSources.Single(s => s.HintName.Contains("FashionMlpVae")).SourceText.ToString();
        Assert.Contains("error VAE2008", surface);

        var edited = new InMemoryAdditionalText(broken.Path, broken.Content.Replace(anchor, replacement));
        Assert.NotEqual(broken.Content, edited.Content);
        harness.ReplaceSpec(broken, edited);
        var second = harness.Run();

        // The text is read again, but nothing the emitter uses changed: the class is the same text.
        Assert.Contains(Outputs(second, TrackingNames.SpecFiles), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(Outputs(second, TrackingNames.EmitModels), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.Equal(surface, second.GeneratedSources.Single(s => s.HintName.Contains("FashionMlpVae")).SourceText.ToString());
    }

    /// <summary>
    /// The accepted cost of naming the first error's position at the C# call site: a comment above it
    /// moves it, so the stand-in is emitted again with the new line (for broken specs only).
    /// </summary>
    [Fact]
    public void A_comment_above_the_first_error_of_a_broken_spec_re_emits_it_with_the_new_line()
    {
        var (harness, _, mlp) = TwoSpecs();
        var broken = new InMemoryAdditionalText(mlp.Path, mlp.Content.Replace("unflatten: [1, 28, 28]", "unflatten: [1, 28, 27]"));
        harness.ReplaceSpec(mlp, broken);
        Assert.Contains("fashion_mlp.vae.yaml(18,16): error VAE2008", harness.Run().GeneratedSources.Single(s => s.HintName.Contains("FashionMlpVae")).SourceText.ToString());

        harness.ReplaceSpec(broken, new InMemoryAdditionalText(broken.Path, "# one more line\n" + broken.Content));
        var second = harness.Run();
        Assert.Contains(Outputs(second, TrackingNames.EmitModels), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("fashion_mlp.vae.yaml(19,16): error VAE2008", second.GeneratedSources.Single(s => s.HintName.Contains("FashionMlpVae")).SourceText.ToString());
    }

    [Fact]
    public void Checking_the_same_text_twice_gives_equal_models()
    {
        var (first, _, _) = TwoSpecs();
        var (second, _, _) = TwoSpecs();
        var a = Outputs(first.Run(), TrackingNames.CheckedSpecs).Select(o => o.Value).ToArray();
        var b = Outputs(second.Run(), TrackingNames.CheckedSpecs).Select(o => o.Value).ToArray();
        Assert.Equal(a, b);
        Assert.Equal(a.Select(x => x.GetHashCode()), b.Select(x => x.GetHashCode()));
    }
}
