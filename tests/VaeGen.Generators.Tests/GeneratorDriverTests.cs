// Hand-made driver (GeneratorHarness), not the official test framework: the framework's additional files
// are always readable text, and it gives no way to run the driver with a cancelled token.
using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>What only a hand-made driver can show: an unreadable spec and cancellation.</summary>
public class GeneratorDriverTests
{
    [Fact]
    public void A_broken_spec_does_not_stop_the_others()
    {
        var result = new GeneratorHarness(new AdditionalText[]
        {
            new InMemoryAdditionalText("/repo/specs/broken.vae.yaml", GeneratorDiagnosticTests.BrokenSpec),
            new UnreadableAdditionalText("/repo/specs/unreadable.vae.yaml"),
            new InMemoryAdditionalText("/repo/specs/fashion_mlp.vae.yaml", TestSpecs.Read("fashion_mlp.vae.yaml")),
        }).Run();

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics); // VAE2001 and the unreadable file's VAE9001 are SpecAnalyzer's (SpecAnalyzerTests)
        Assert.Equal(new[] { "Consumer.Broken.g.cs", "VaeGen.Specs.FashionMlpVae.g.cs" },
            result.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/repo/specs/seed.vae.yaml", TestSpecs.Read("seed000.vae.yaml")) });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => harness.Driver.RunGenerators(harness.Compilation, cancelled.Token));
    }
}
