using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using TorchSharp;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;
using Xunit;
using static TorchSharp.torch;

namespace VaeGen.TorchSharpTests;

/// <summary>
/// Every shape diagnostic that quotes what PyTorch/TorchSharp would throw, checked against TorchSharp on libtorch 2.10:
/// the checker's message for a spec is taken as written, the quoted text is cut out of it, and the offending layer is
/// built in TorchSharp and run on the shape that reaches it (a batch of one); the thrown message must contain the quote.
/// One case per quoting rule and both errors of seed 000 as written.
/// </summary>
public sealed class QuotedRuntimeErrorTests
{
    private static readonly Regex Quote = new("would throw \"(?<text>.+?)\"(?=[ .]|$)", RegexOptions.Singleline);

    /// <summary>A quoting diagnostic: the spec, the rule and YAML path of the diagnostic, and the layer with the input that reaches it.</summary>
    public sealed record Case(string Name, string Spec, DiagnosticRule Rule, string YamlPath, Func<nn.Module<Tensor, Tensor>> Layer, long[] Input)
    {
        public override string ToString() => Name;
    }

    private const string FlatDecoder = "decoder:\n  - linear: { out: 75 }\n  - unflatten: [3, 5, 5]\n";

    private static string Encoder(string layers, string shape = "[3, 5, 5]") =>
        "name: Quote\ninput: { shape: " + shape + " }\nlatent: 4\nencoder:\n" + layers + FlatDecoder;

    private static string Decoder(string layers) =>
        "name: Quote\ninput: { shape: [1, 4, 4] }\nlatent: 4\nencoder:\n  - flatten\ndecoder:\n" + layers;

    public static readonly TheoryData<Case> Cases = new()
    {
        new Case("seed000 as written: 3x3 conv on the 1x1 map", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cases", "seed000_as_written.vae.yaml")),
            DiagnosticRules.KernelTooLarge, "encoder[2].conv2d.kernel", () => nn.Conv2d(32, 64, kernel_size: 3), new long[] { 1, 32, 1, 1 }),
        new Case("seed000 as written: 2x2 max-pool on a 1x1 map", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cases", "seed000_as_written.vae.yaml")),
            DiagnosticRules.PoolOutputTooSmall, "encoder[3].maxpool2d.kernel", () => nn.MaxPool2d(kernel_size: 2, stride: 2), new long[] { 1, 64, 1, 1 }),
        new Case("dilated conv larger than its input", Encoder("  - conv2d: { out: 4, kernel: 3, dilation: 3 }\n  - flatten\n"),
            DiagnosticRules.KernelTooLarge, "encoder[0].conv2d.kernel", () => nn.Conv2d(3, 4, kernel_size: 3, dilation: 3), new long[] { 1, 3, 5, 5 }),
        new Case("avgpool window larger than its input", Encoder("  - avgpool2d: { kernel: 6 }\n  - flatten\n"),
            DiagnosticRules.PoolOutputTooSmall, "encoder[0].avgpool2d.kernel", () => nn.AvgPool2d(kernel_size: 6), new long[] { 1, 3, 5, 5 }),
        new Case("pool padding over half the kernel", Encoder("  - maxpool2d: { kernel: 2, padding: 2 }\n  - flatten\n"),
            DiagnosticRules.PoolPaddingTooLarge, "encoder[0].maxpool2d.padding", () => nn.MaxPool2d(kernel_size: 2, stride: 2, padding: 2), new long[] { 1, 3, 5, 5 }),
        new Case("max-pool padding over half the kernel's width only", Encoder("  - maxpool2d: { kernel: [4, 2], padding: [1, 2] }\n  - flatten\n", "[3, 8, 8]"),
            DiagnosticRules.PoolPaddingTooLarge, "encoder[0].maxpool2d.padding", () => nn.MaxPool2d(kernel_size: (4, 2), stride: (4, 2), padding: (1, 2)), new long[] { 1, 3, 8, 8 }),
        new Case("max-pool padding over half the kernel in both dimensions", Encoder("  - maxpool2d: { kernel: [2, 4], padding: [2, 3] }\n  - flatten\n", "[3, 8, 8]"),
            DiagnosticRules.PoolPaddingTooLarge, "encoder[0].maxpool2d.padding", () => nn.MaxPool2d(kernel_size: (2, 4), stride: (2, 4), padding: (2, 3)), new long[] { 1, 3, 8, 8 }),
        new Case("avg-pool padding over half the kernel", Encoder("  - avgpool2d: { kernel: 2, padding: 2 }\n  - flatten\n"),
            DiagnosticRules.PoolPaddingTooLarge, "encoder[0].avgpool2d.padding", () => nn.AvgPool2d(kernel_size: 2, stride: 2, padding: 2), new long[] { 1, 3, 5, 5 }),
        new Case("transposed conv output padding not below the stride", Decoder("  - linear: { out: 4 }\n  - unflatten: [1, 2, 2]\n  - conv_transpose2d: { out: 1, kernel: 3, stride: 1, output_padding: 1 }\n"),
            DiagnosticRules.OutputPaddingTooLarge, "decoder[2].conv_transpose2d.output_padding", () => nn.ConvTranspose2d(1, 1, kernel_size: 3, stride: 1, output_padding: 1), new long[] { 1, 1, 2, 2 }),
        new Case("transposed conv padding removing everything", Decoder("  - linear: { out: 1 }\n  - unflatten: [1, 1, 1]\n  - conv_transpose2d: { out: 1, kernel: 1, padding: 1 }\n"),
            DiagnosticRules.TransposedOutputTooSmall, "decoder[2].conv_transpose2d.padding", () => nn.ConvTranspose2d(1, 1, kernel_size: 1, padding: 1), new long[] { 1, 1, 1, 1 }),
        new Case("linear on an image", Encoder("  - linear: { out: 16 }\n"),
            DiagnosticRules.NeedsFlat, "encoder[0].linear", () => nn.Linear(75, 16), new long[] { 1, 3, 5, 5 }),
        new Case("linear in: that is not the incoming size", Encoder("  - flatten\n  - linear: { in: 70, out: 16 }\n"),
            DiagnosticRules.InMismatch, "encoder[1].linear.in", () => nn.Linear(70, 16), new long[] { 1, 75 }),
        new Case("unflatten of an image", Decoder("  - linear: { out: 16 }\n  - unflatten: [1, 4, 4]\n  - unflatten: [1, 4, 4]\n"),
            DiagnosticRules.NeedsFlat, "decoder[2].unflatten", () => nn.Unflatten(1, new long[] { 1, 4, 4 }), new long[] { 1, 1, 4, 4 }),
        new Case("unflatten to the wrong element count", Decoder("  - linear: { out: 15 }\n  - unflatten: [1, 4, 4]\n"),
            DiagnosticRules.UnflattenMismatch, "decoder[1].unflatten", () => nn.Unflatten(1, new long[] { 1, 4, 4 }), new long[] { 1, 15 }),
        new Case("conv2d on a flat vector", Encoder("  - flatten\n  - conv2d: { in: 75, out: 4, kernel: 1 }\n"),
            DiagnosticRules.NeedsImage, "encoder[1].conv2d", () => nn.Conv2d(75, 4, kernel_size: 1), new long[] { 1, 75 }),
        new Case("conv_transpose2d on a flat vector", Decoder("  - conv_transpose2d: { in: 4, out: 1, kernel: 1 }\n"),
            DiagnosticRules.NeedsImage, "decoder[0].conv_transpose2d", () => nn.ConvTranspose2d(4, 1, kernel_size: 1), new long[] { 1, 4 }),
        new Case("conv2d in: that is not the incoming channel count", Encoder("  - conv2d: { in: 4, out: 8, kernel: 1 }\n  - flatten\n"),
            DiagnosticRules.InMismatch, "encoder[0].conv2d.in", () => nn.Conv2d(4, 8, kernel_size: 1), new long[] { 1, 3, 5, 5 }),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TorchSharp_throws_what_the_diagnostic_quotes(Case c)
    {
        var result = SpecChecker.Check("/specs/quote.vae.yaml", c.Spec);
        var diagnostic = result.Diagnostics.SingleOrDefault(d => d.Id == c.Rule.Id && d.YamlPath == c.YamlPath);
        Assert.True(diagnostic is not null, c.Name + ": no " + c.Rule.Id + " at " + c.YamlPath + "; got:\n" + string.Join("\n", result.Diagnostics.Select(d => d.Id + " " + d.YamlPath + ": " + d.Message)));
        Match quote = Quote.Match(diagnostic!.Message);
        Assert.True(quote.Success, c.Rule.Id + " quotes no runtime error: " + diagnostic.Message);

        using var scope = NewDisposeScope();
        var thrown = Assert.ThrowsAny<Exception>(() =>
        {
            using var layer = c.Layer();
            layer.call(zeros(c.Input));
        });
        Assert.True(thrown.Message.Contains(quote.Groups["text"].Value, StringComparison.Ordinal),
            c.Name + ": the diagnostic quotes\n  " + quote.Groups["text"].Value + "\nbut TorchSharp " + typeof(torch).Assembly.GetName().Version + " threw " + thrown.GetType().Name + "\n  " + thrown.Message);
    }

    [Fact]
    public void Every_rule_that_quotes_a_runtime_error_has_a_case()
    {
        var quotingRules = new[]
        {
            DiagnosticRules.KernelTooLarge, DiagnosticRules.PoolOutputTooSmall, DiagnosticRules.TransposedOutputTooSmall, DiagnosticRules.OutputPaddingTooLarge,
            DiagnosticRules.NeedsImage, DiagnosticRules.NeedsFlat, DiagnosticRules.UnflattenMismatch, DiagnosticRules.InMismatch, DiagnosticRules.PoolPaddingTooLarge,
        };
        var covered = new HashSet<string>(((IEnumerable<object[]>)Cases).Select(row => ((Case)row[0]).Rule.Id));
        Assert.All(quotingRules, rule => Assert.Contains(rule.Id, covered));
    }
}
