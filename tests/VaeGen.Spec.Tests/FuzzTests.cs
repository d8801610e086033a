using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Shapes;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Spec.Tests;

/// <summary>
/// Seeded mutation fuzzing of the four shipped specs. Whatever the mutant, the checker must not
/// throw, must give an error whenever it gives no plan (and none when it gives one), and every
/// diagnostic must lie inside the text and name the file.
/// </summary>
public class FuzzTests
{
    // Fixed by default so a failure reproduces; VAEGEN_FUZZ_SEED and VAEGEN_FUZZ_MUTANTS allow longer ad-hoc runs.
    private static readonly int Seed = FromEnvironment("VAEGEN_FUZZ_SEED", 20_240_611);
    private static readonly int Mutants = FromEnvironment("VAEGEN_FUZZ_MUTANTS", 12_000);

    private static readonly string[] ShippedSpecs = { "seed000.vae.yaml", "seed002_rgb64.vae.yaml", "fashion_mlp.vae.yaml", "fashion_conv.vae.yaml" };

    private static readonly string[] Vocabulary =
    {
        "conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "upsample", "linear", "batchnorm", "dropout", "flatten", "unflatten",
        "relu", "sigmoid", "tanh", "gelu", "silu", "elu", "leaky_relu", "nchw", "nhwc", "mse", "bce", "bce_logits", "sum", "mean",
        "true", "false", "torchsharp", "managed", "out", "kernel", "stride", "padding", "output_padding", "dilation", "in", "scale",
    };

    private static readonly string[] NumberReplacements =
    {
        "0", "-1", "1", "2", "3", "7", "64", "255", "1000000000", "1000000000000", "9223372036854775807", "99999999999999999999999",
        "3.5", "1e30", "-0", "+4", ".inf", ".nan", "abc", "'8'", "\"8\"", "~", "[]", "{}", "[2, 3]", "true",
    };

    private static readonly string[] InsertedLayers =
    {
        "flatten", "unflatten: [1, 2, 3]", "relu", "sigmoid", "batchnorm", "dropout: { p: 0.3 }", "linear: { out: 10 }",
        "conv2d: { out: 8, kernel: 3 }", "conv2d: { out: 8, kernel: 5, padding: 2, in: 3 }", "maxpool2d: { kernel: 2 }",
        "avgpool2d: { kernel: 3, stride: 2, padding: 1, ceil_mode: true }", "upsample: { scale: 2 }", "conv_transpose2d: { out: 3, kernel: 4, stride: 2, padding: 1 }",
        "leaky_relu: { slope: 0.2 }",
    };

    private const string Noise = "[]{}:,-?&*!|>'\"#%@` \t\n\r~.0123456789abcxyz_éλ\u00a0\uFEFF\u0085\u2028";

    private static readonly Regex NumberPattern = new(@"-?\d+(\.\d+)?", RegexOptions.Compiled);
    private static readonly Regex WordPattern = new(@"[A-Za-z_][A-Za-z_0-9]*", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Mutated_shipped_specs_never_break_the_checker()
    {
        var sources = ShippedSpecs.Select(f => File.ReadAllText(TestSpecs.Path(f))).ToArray();
        var random = new Random(Seed);
        var rules = DiagnosticRules.All.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var fired = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var operations = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        int accepted = 0, rejected = 0, mutations = 0;
        var watch = Stopwatch.StartNew();

        for (int i = 0; i < Mutants && failures.Count < 10; i++)
        {
            string text = sources[i % sources.Length];
            var applied = new List<string>();
            int count = 1 + random.Next(3);
            for (int k = 0; k < count; k++)
            {
                text = Mutate(text, random, out string operation);
                applied.Add(operation);
                operations[operation] = operations.GetValueOrDefault(operation) + 1;
                mutations++;
            }

            string? problem = Validate(text, rules, fired, out bool clean);
            if (problem is not null)
            {
                failures.Add("mutant " + i + " (" + string.Join(", ", applied) + "): " + problem + Environment.NewLine + "--- text:" + Environment.NewLine + text);
            }
            else if (clean)
            {
                accepted++;
            }
            else
            {
                rejected++;
            }
        }

        watch.Stop();
        _output.WriteLine("seed " + Seed + ": " + (accepted + rejected) + " mutants (" + mutations + " mutations) in " + watch.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s");
        _output.WriteLine("accepted (plan, maybe warnings): " + accepted + ", rejected (errors): " + rejected);
        _output.WriteLine("rule IDs fired: " + string.Join(", ", fired.Select(p => p.Key + " x" + p.Value)));
        _output.WriteLine("rule IDs never fired: " + string.Join(", ", rules.Keys.Where(id => !fired.ContainsKey(id))));
        _output.WriteLine("mutations: " + string.Join(", ", operations.Select(p => p.Key + " x" + p.Value)));

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
        Assert.True(mutations >= Math.Min(10_000, Mutants), "only " + mutations + " mutations");
        Assert.True(accepted > 0 && rejected > 0, "accepted " + accepted + ", rejected " + rejected);
        // A hang guard, not a speed target (about 15 s alone; several times that while other test assemblies share the cores).
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(5), "fuzzing took " + watch.Elapsed);
    }

    /// <summary>Null when the result is sound, else what is wrong with it.</summary>
    private static string? Validate(string text, Dictionary<string, DiagnosticRule> rules, SortedDictionary<string, int> fired, out bool clean)
    {
        clean = false;
        SpecCheckResult result;
        try
        {
            result = SpecText.Check(text);
        }
        catch (Exception ex)
        {
            return "exception escaped: " + ex;
        }

        bool hasError = result.Diagnostics.Any(d => d.IsError);
        if (result.Plan is null && !hasError)
        {
            return "no plan but no error: " + SpecText.Describe(result);
        }

        if (result.Plan is not null && hasError)
        {
            return "a plan despite errors: " + SpecText.Describe(result);
        }

        // Line breaks as Roslyn's SourceText counts them: \n, \r\n, a lone \r, U+0085, U+2028, U+2029.
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                lineStarts.Add(i + 1);
            }
        }

        foreach (var d in result.Diagnostics)
        {
            fired[d.Id] = fired.GetValueOrDefault(d.Id) + 1;
            var span = d.Span;
            if (d.Id == "VAE9001")
            {
                return "internal error: " + d;
            }

            if (!rules.TryGetValue(d.Id, out var rule) || rule.Severity != d.Severity)
            {
                return "ID or severity not in the catalog: " + d;
            }

            if (!d.Message.StartsWith("test.vae.yaml", StringComparison.Ordinal))
            {
                return "message does not start with the file name: " + d;
            }

            if (span.Start < 0 || span.Start > span.End || span.End > text.Length)
            {
                return "span " + span.Start + ".." + span.End + " outside the text (" + text.Length + " chars): " + d;
            }

            if (span.StartLine < 0 || span.StartLine >= lineStarts.Count || span.EndLine < span.StartLine || span.EndLine >= lineStarts.Count)
            {
                return "lines " + span.StartLine + ".." + span.EndLine + " outside the file (" + lineStarts.Count + " lines): " + d;
            }

            // Line and column must name the same place as the offset (the generator maps either).
            int line = lineStarts.FindLastIndex(s => s <= span.Start);
            if (span.StartLine != line || span.StartColumn != span.Start - lineStarts[line])
            {
                return "(line, column) (" + span.StartLine + ", " + span.StartColumn + ") is not offset " + span.Start + " = (" + line + ", " + (span.Start - lineStarts[line]) + "): " + d;
            }
        }

        clean = result.Plan is not null;
        return result.Plan is null ? null : CheckPlan(result.Plan);
    }

    /// <summary>An accepted spec's plan must chain: each layer gets what the one before gave, from the input back to it.</summary>
    private static string? CheckPlan(ModelPlan plan)
    {
        var expected = plan.InputShape;
        foreach (var layers in new[] { plan.Encoder, plan.Decoder })
        {
            foreach (var layer in layers)
            {
                if (!layer.Input.Equals(expected))
                {
                    return layer.ModuleName + " gets " + layer.Input + " but the layer before gives " + expected;
                }

                if (layer.Output.Dimensions.Any(d => d < 1) || layer.Output.ElementCount > int.MaxValue)
                {
                    return layer.ModuleName + " outputs " + layer.Output;
                }

                expected = layer.Output;
            }

            if (layers.Equals(plan.Encoder))
            {
                if (!expected.IsFlat || plan.EncodedFeatures != expected.Dimensions[0] || !plan.Mu.Input.Equals(expected) || !plan.LogVar.Input.Equals(expected))
                {
                    return "the encoder ends with " + expected + " but the heads get " + plan.Mu.Input;
                }

                expected = plan.Mu.Output;
                if (!expected.Equals(TensorShape.Flat(plan.Spec.Latent)))
                {
                    return "mu is " + expected + ", latent " + plan.Spec.Latent;
                }
            }
        }

        if (!expected.Equals(plan.InputShape))
        {
            return "the decoder ends with " + expected + ", the input is " + plan.InputShape;
        }

        return plan.AllTensors.FirstOrDefault(t => t.ElementCount > int.MaxValue || t.Shape.Any(d => d < 1)) is { } bad ? "tensor " + bad : null;
    }

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    private static string Mutate(string text, Random random, out string operation)
    {
        var lines = text.Split('\n').ToList();
        int line = random.Next(lines.Count);
        switch (random.Next(12))
        {
            case 0:
                operation = "delete line";
                lines.RemoveAt(line);
                break;
            case 1:
                operation = "duplicate line";
                lines.Insert(line, lines[line]);
                break;
            case 2:
                {
                    operation = "swap lines";
                    int other = random.Next(2) == 0 ? Math.Min(lines.Count - 1, line + 1) : random.Next(lines.Count);
                    (lines[line], lines[other]) = (lines[other], lines[line]);
                    break;
                }

            case 3:
            case 4:
                {
                    operation = "change number";
                    var numbers = NumberPattern.Matches(text);
                    if (numbers.Count == 0)
                    {
                        goto default;
                    }

                    var match = numbers[random.Next(numbers.Count)];
                    string replacement = random.Next(3) == 0 ? random.Next(1, 300).ToString(System.Globalization.CultureInfo.InvariantCulture) : NumberReplacements[random.Next(NumberReplacements.Length)];
                    return text.Substring(0, match.Index) + replacement + text.Substring(match.Index + match.Length);
                }

            case 5:
                {
                    operation = "insert characters";
                    int at = random.Next(text.Length + 1);
                    var sb = new StringBuilder();
                    for (int n = 1 + random.Next(3); n > 0; n--)
                    {
                        sb.Append(Noise[random.Next(Noise.Length)]);
                    }

                    return text.Insert(at, sb.ToString());
                }

            case 6:
                operation = "change indentation";
                lines[line] = random.Next(2) == 0 ? new string(' ', 1 + random.Next(3)) + lines[line] : lines[line].TrimStart(' ');
                break;
            case 7:
                operation = "truncate";
                return text.Substring(0, random.Next(text.Length + 1));
            case 8:
                {
                    operation = "near-miss word";
                    var words = WordPattern.Matches(text);
                    if (words.Count == 0)
                    {
                        goto default;
                    }

                    var match = words[random.Next(words.Count)];
                    return text.Substring(0, match.Index) + NearMiss(match.Value, random) + text.Substring(match.Index + match.Length);
                }

            case 9:
                operation = "insert tab";
                lines[line] = random.Next(2) == 0 ? "\t" + lines[line] : lines[line].Insert(random.Next(lines[line].Length + 1), "\t");
                break;
            case 10:
                {
                    operation = "replace word";
                    var words = WordPattern.Matches(text).Where(m => Vocabulary.Contains(m.Value)).ToList();
                    if (words.Count == 0)
                    {
                        goto default;
                    }

                    var match = words[random.Next(words.Count)];
                    return text.Substring(0, match.Index) + Vocabulary[random.Next(Vocabulary.Length)] + text.Substring(match.Index + match.Length);
                }

            default:
                {
                    operation = "insert layer";
                    var layerLines = Enumerable.Range(0, lines.Count).Where(i => lines[i].StartsWith("  - ", StringComparison.Ordinal)).ToList();
                    int at = layerLines.Count == 0 ? line : layerLines[random.Next(layerLines.Count)] + random.Next(2);
                    lines.Insert(at, "  - " + InsertedLayers[random.Next(InsertedLayers.Length)]);
                    break;
                }
        }

        return string.Join("\n", lines);
    }

    private static string NearMiss(string word, Random random)
    {
        int i = random.Next(word.Length);
        switch (random.Next(5))
        {
            case 0:
                return word.Remove(i, 1);
            case 1:
                return word.Insert(i, ((char)('a' + random.Next(26))).ToString());
            case 2:
                return i + 1 < word.Length ? word.Substring(0, i) + word[i + 1] + word[i] + word.Substring(i + 2) : word + word[i];
            case 3:
                return word.Substring(0, i) + (char)('a' + random.Next(26)) + word.Substring(i + 1);
            default:
                return char.IsUpper(word[i]) ? word.ToLowerInvariant() : word.Substring(0, i) + char.ToUpperInvariant(word[i]) + word.Substring(i + 1);
        }
    }
}
