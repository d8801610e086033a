using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using VaeGen.Spec.Checking;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>
/// Input no spec author means to write: each must give at least one located error, never an
/// exception (nor VAE9001, the checker's own exception turned diagnostic), and finish fast.
/// </summary>
public class BadInputTests
{
    // A hang guard, not a speed target: the suite shares two cores with the other test assemblies, and a
    // check that takes milliseconds alone has taken over 10 s under that load. Only a hang or a blow-up reaches it.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Conv => RuleCases.Conv;

    private const string EncoderBlock =
        "encoder:\n" +
        "  - conv2d: { out: 4, kernel: 3, padding: 1, activation: relu }\n" +
        "  - maxpool2d: { kernel: 2 }\n" +
        "  - flatten\n" +
        "  - linear: { out: 16, activation: relu }\n";

    /// <summary>Named bad texts. Each value: the text and the rule IDs of which at least one must be reported (empty: any error).</summary>
    private static readonly Dictionary<string, (Func<string> Text, string[] AnyOf)> Texts = new()
    {
        ["unclosed [ mid-file"] = (() => Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8"), new[] { "VAE1001" }),
        ["unclosed [ at end of file"] = (() => Conv + "extra: [1, 2", new[] { "VAE1001" }),
        ["unclosed { mid-file"] = (() => Conv.Edit("{ kernel: 2 }", "{ kernel: 2"), new[] { "VAE1001" }),
        ["unclosed { at end of file"] = (() => Conv + "extra: { a: 1", new[] { "VAE1001" }),
        ["unclosed double quote at end"] = (() => Conv + "extra: \"abc", new[] { "VAE1001" }),
        ["unclosed single quote"] = (() => Conv.Edit("name: TestVae", "name: 'TestVae"), new[] { "VAE1001" }),
        ["tab indentation in a list"] = (() => Conv.Edit("  - flatten", "\t- flatten"), new[] { "VAE1001" }),
        ["tab indentation at top"] = (() => "\tname: X\n" + Conv, new[] { "VAE1001" }),
        ["duplicate keys"] = (() => Conv + "name: Again\n", new[] { "VAE1003" }),
        ["duplicate keys in input"] = (() => Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  shape: [1, 8, 8]"), new[] { "VAE1003" }),
        ["empty file"] = (() => string.Empty, new[] { "VAE1002" }),
        ["whitespace only"] = (() => "  \n\n   \n", new[] { "VAE1002" }),
        ["only comments"] = (() => "# nothing\n# here\n", new[] { "VAE1002" }),
        ["only a document marker"] = (() => "---\n", new[] { "VAE1002" }),
        ["a null document"] = (() => "~\n", new[] { "VAE1002" }),
        ["a scalar document"] = (() => "hello\n", new[] { "VAE1101" }),
        ["a list at the top"] = (() => "- name: X\n- latent: 4\n", new[] { "VAE1101" }),
        ["a list in input"] = (() => Conv.Edit("  shape: [1, 8, 8]", "  - 1\n  - 8\n  - 8"), new[] { "VAE1101" }),
        ["a list as layer params"] = (() => Conv.Edit("{ out: 16, activation: relu }", "[16, relu]"), new[] { "VAE1101" }),
        ["a list as encoder layer"] = (() => Conv.Edit("  - flatten", "  - [flatten]"), new[] { "VAE1110" }),
        ["a map as encoder"] = (() => Conv.Edit(EncoderBlock, "encoder:\n  a: 1\n"), new[] { "VAE1101" }),
        ["an empty encoder"] = (() => Conv.Edit(EncoderBlock, "encoder:\n"), new[] { "VAE1101" }),
        ["a scalar encoder"] = (() => Conv.Edit(EncoderBlock, "encoder: flatten\n"), new[] { "VAE1101" }),
        ["string for an int"] = (() => Conv.Edit("out: 4,", "out: four,"), new[] { "VAE1104" }),
        ["quoted int"] = (() => Conv.Edit("latent: 4", "latent: '4'"), new[] { "VAE1104" }),
        ["float for an int"] = (() => Conv.Edit("latent: 4", "latent: 4.5"), new[] { "VAE1104" }),
        ["exponent for an int"] = (() => Conv.Edit("latent: 4", "latent: 1e3"), new[] { "VAE1104" }),
        ["tagged string for an int"] = (() => Conv.Edit("latent: 4", "latent: !!str 4"), new[] { "VAE1104" }),
        ["nan for beta"] = (() => Conv + "beta: .nan\n", new[] { "VAE1105" }),
        ["infinite scale"] = (() => Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  scale: .inf"), new[] { "VAE1105" }),
        ["zero size"] = (() => Conv.Edit("shape: [1, 8, 8]", "shape: [1, 0, 8]"), new[] { "VAE1105" }),
        ["negative size"] = (() => Conv.Edit("unflatten: [4, 4, 4]", "unflatten: [4, -4, -4]"), new[] { "VAE1105" }),
        ["zero stride"] = (() => Conv.Edit("stride: 2", "stride: 0"), new[] { "VAE1105" }),
        ["input of 10^9 x 8 x 8"] = (() => Conv.Edit("shape: [1, 8, 8]", "shape: [1000000000, 8, 8]"), new[] { "VAE2005" }),
        ["input of 10^12"] = (() => Conv.Edit("shape: [1, 8, 8]", "shape: [1, 1000000000000, 8]"), new[] { "VAE2005" }),
        ["conv out 10^9"] = (() => Conv.Edit("out: 4, kernel: 3", "out: 1000000000, kernel: 3"), new[] { "VAE2005" }),
        ["conv out 10^12"] = (() => Conv.Edit("out: 4, kernel: 3", "out: 1000000000000, kernel: 3"), new[] { "VAE2005" }),
        ["latent 10^9"] = (() => Conv.Edit("latent: 4", "latent: 1000000000"), new[] { "VAE2005" }),
        ["latent 10^12"] = (() => Conv.Edit("latent: 4", "latent: 1000000000000"), new[] { "VAE2005" }),
        ["padding 10^12"] = (() => Conv.Edit("padding: 1, activation", "padding: 1000000000000, activation"), new[] { "VAE2005" }),
        ["padding 10^18 (overflows 64 bits)"] = (() => Conv.Edit("padding: 1, activation", "padding: 4000000000000000000, activation"), new[] { "VAE2005" }),
        ["dilation 10^18 (overflows 64 bits)"] = (() => Conv.Edit("padding: 1, activation", "padding: 1, dilation: 9000000000000000000, activation"), new[] { "VAE2005" }),
        ["kernel 10^12"] = (() => Conv.Edit("kernel: 3", "kernel: 1000000000000"), new[] { "VAE2001" }),
        ["upsample 10^9"] = (() => Conv.Edit("  - sigmoid", "  - upsample: { scale: 1000000000 }\n  - sigmoid"), new[] { "VAE2005" }),
        ["unflatten of 10^12 elements"] = (() => Conv.Edit("unflatten: [4, 4, 4]", "unflatten: [1000000, 1000000, 4]"), new[] { "VAE2005", "VAE2008" }),
        ["transposed conv stride 10^18"] = (() => Conv.Edit("stride: 2", "stride: 1000000000000000000"), new[] { "VAE2005" }),
        ["number past long"] = (() => Conv.Edit("latent: 4", "latent: 1000000000000000000000000000000"), new[] { "VAE1105" }),
        ["negative number past long"] = (() => Conv.Edit("out: 4,", "out: -1000000000000000000000000000000,"), new[] { "VAE1105" }),
        ["huge float"] = (() => Conv + "beta: 1e400\n", new[] { "VAE1105" }),
        ["second document"] = (() => Conv + "---\n" + Conv, new[] { "VAE1006" }),
        ["empty second document"] = (() => Conv + "---\n", new[] { "VAE1006" }),
        ["complex key: a list"] = (() => Conv + "? [a, b]\n: c\n", new[] { "VAE1007" }),
        ["complex key: a map"] = (() => Conv + "? { a: 1 }\n: c\n", new[] { "VAE1007" }),
        ["complex key: an alias to a list"] = (() => "list: &k [1, 2]\n*k : 3\n" + Conv, new[] { "VAE1007" }),
        ["complex key in a layer"] = (() => Conv.Edit("{ kernel: 2 }", "{ [kernel]: 2 }"), new[] { "VAE1007" }),
        ["undefined alias"] = (() => Conv.Edit("latent: 4", "latent: *nothing"), new[] { "VAE1001" }),
        ["merge key"] = (() => "base: &b { out: 4 }\n" + Conv.Edit("{ out: 16, activation: relu }", "{ <<: *b, activation: relu }"), new[] { "VAE1102" }),
        ["U+FFFD in the text"] = (() => Conv.Edit("latent: 4", "latent: 4\uFFFD"), new[] { "VAE1004" }),
        ["control characters"] = (() => Conv.Edit("latent: 4", "latent: \u0001\u0002\u001b[31m"), Array.Empty<string>()),
        ["a lone surrogate"] = (() => Conv.Edit("name: TestVae", "name: Test\uD800Vae"), Array.Empty<string>()),
        ["a megabyte scalar"] = (() => Conv.Edit("name: TestVae", "name: " + new string('A', 1 << 20) + "-"), new[] { "VAE1108" }),
        ["a megabyte key"] = (() => Conv + new string('k', 1 << 20) + ": 1\n", new[] { "VAE1001" }), // YAML allows implicit keys of at most 1024 chars
        ["10,000 unknown keys"] = (() => Conv + string.Concat(Enumerable.Range(0, 10_000).Select(i => "key" + i + ": " + i + "\n")), new[] { "VAE1102" }),
        ["10,000 layers of which one is wrong"] = (() => Conv.Edit("  - flatten\n", string.Concat(Enumerable.Repeat("  - relu\n", 10_000)) + "  - flatten\n  - flatten\n  - conv2d: { out: 1, kernel: 1 }\n"), new[] { "VAE2006" }),
        ["deep flow lists, 10,000 levels"] = (() => new string('[', 10_000) + new string(']', 10_000), new[] { "VAE1005" }),
        ["deep flow lists, unclosed"] = (() => new string('[', 10_000), new[] { "VAE1005", "VAE1001" }),
        ["deep flow maps, 10,000 levels"] = (() => string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "1" + new string('}', 10_000), new[] { "VAE1005" }),
        ["deep block lists, 10,000 levels"] = (() => string.Concat(Enumerable.Repeat("- ", 10_000)) + "x\n", new[] { "VAE1005" }),
        ["deep block maps, 2,000 levels"] = (() => string.Concat(Enumerable.Range(0, 2_000).Select(i => new string(' ', i) + "a:\n")) + new string(' ', 2_000) + "b: 1\n", new[] { "VAE1005" }),
        ["deep nesting inside a spec"] = (() => Conv.Edit("latent: 4", "latent: " + new string('[', 10_000) + new string(']', 10_000)), new[] { "VAE1005" }),
        ["billion laughs"] = (() => BillionLaughs(9) + Conv, new[] { "VAE1005" }),
        ["alias bomb set off in the encoder"] = (() => BillionLaughs(4) + Conv.Edit("encoder:\n", "encoder: [" + string.Join(", ", Enumerable.Repeat("*l3", 10)) + "]\nx:\n"), new[] { "VAE1005" }),
        ["quadratic blowup"] = (() => "big: &big [" + string.Join(", ", Enumerable.Repeat("x", 2_000)) + "]\nuse: [" + string.Join(", ", Enumerable.Repeat("*big", 2_000)) + "]\n" + Conv, new[] { "VAE1005" }),
        ["self-referencing anchor"] = (() => "a: &a [*a]\n" + Conv, new[] { "VAE1001" }),
        ["directive only"] = (() => "%YAML 1.2\n", new[] { "VAE1002", "VAE1001" }),
        ["block scalar for latent"] = (() => Conv.Edit("latent: 4", "latent: |\n  4"), new[] { "VAE1104" }),
        ["anchors on everything"] = (() => Conv.Edit("latent: 4", "latent: &x 4\nbeta: *x\nreduction: *x"), new[] { "VAE1107" }),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Texts.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_text_gives_a_located_error(string name)
    {
        var (make, anyOf) = Texts[name];
        string text = make();
        Assert.DoesNotContain(MarkedYaml.EditFailed, text);
        var result = CheckFast(() => SpecText.Check(text));
        AssertLocatedError(result, text, anyOf);
    }

    [Fact]
    public void Ten_thousand_layers_check_clean_and_fast()
    {
        string text = Conv.Edit("  - flatten\n", string.Concat(Enumerable.Repeat("  - relu\n", 10_000)) + "  - flatten\n");
        var result = CheckFast(() => SpecText.Check(text));
        Assert.True(result.Diagnostics.Count == 0, SpecText.Describe(result));
        Assert.Equal(10_000 + 6, result.Plan!.Encoder.Count);
        Assert.Equal("encoder.10005", result.Plan.Encoder[^1].ModuleName);
    }

    [Fact]
    public void Odd_but_accepted_text_does_not_break_the_checker()
    {
        // YamlDotNet ignores NUL characters and reserved directives (YAML 1.2 says to ignore unknown
        // directives); the checker accepts these specs rather than failing on them.
        foreach (var text in new[] { Conv.Edit("latent: 4", "latent: 4\0\0"), "%FOO bar\n---\n" + Conv, "%YAML 1.2\n---\n" + Conv })
        {
            var result = CheckFast(() => SpecText.Check(text));
            Assert.True(result.Diagnostics.Count == 0, SpecText.Describe(result));
            Assert.NotNull(result.Plan);
        }
    }

    [Fact]
    public void Crlf_line_endings_are_clean_and_located()
    {
        var clean = SpecText.Check(Conv.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.True(clean.Diagnostics.Count == 0, SpecText.Describe(clean));

        var (marked, line, column) = MarkedYaml.Strip(RuleCases.Get("shape: conv kernel larger than padded input").Yaml);
        string crlf = marked.Replace("\n", "\r\n", StringComparison.Ordinal);
        var d = SpecText.Check(crlf).Diagnostics.First(x => x.Id == "VAE2001");
        Assert.Equal((line, column), (d.Span.StartLine, d.Span.StartColumn));
        Assert.Equal("11", crlf.Substring(d.Span.Start, 2));
    }

    [Fact]
    public void Utf8_bom_and_valid_multibyte_text_are_clean()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("# Größe: 8×8, λ\n" + Conv)).ToArray();
        var result = SpecChecker.Check(SpecText.TestPath, bytes);
        Assert.True(result.Diagnostics.Count == 0, SpecText.Describe(result));
    }

    [Theory]
    [InlineData("invalid byte 0xFF", "name: TestVae\nlatent: 4 # \u00ff\n", 2, 13)]
    [InlineData("lone continuation byte", "name: TestVae\nnamespace: Tests.\u0080Specs\n", 2, 18)]
    [InlineData("overlong NUL", "name: Test\u00c0\u0080Vae\n", 1, 11)]
    [InlineData("truncated sequence at the end", "name: TestVae\n# \u00e2\u0082", 2, 3)]
    public void Bytes_that_are_not_utf8_are_located(string what, string latin1, int line, int column)
    {
        // Each char of `latin1` is one byte; the expected (line, column) is 1-based, of the first bad byte.
        _ = what;
        var bytes = Encoding.Latin1.GetBytes(latin1);
        foreach (bool bom in new[] { false, true })
        {
            var input = bom ? Encoding.UTF8.GetPreamble().Concat(bytes).ToArray() : bytes;
            var result = CheckFast(() => SpecChecker.Check(SpecText.TestPath, input));
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("VAE1004", d.Id);
            Assert.Equal((line, column), (d.Span.StartLine + 1, d.Span.StartColumn + 1));
            Assert.StartsWith("test.vae.yaml: ", d.Message, StringComparison.Ordinal);
            Assert.Contains("UTF-8", d.Message, StringComparison.Ordinal);
            int badOffset = Array.FindIndex(bytes, b => b >= 0x80) + (bom ? 3 : 0);
            Assert.Contains("offset " + badOffset, d.Message, StringComparison.Ordinal);
            Assert.Null(result.Plan);
        }
    }

    [Fact]
    public void Utf16_file_is_not_utf8()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Conv)).ToArray();
        var result = CheckFast(() => SpecChecker.Check(SpecText.TestPath, bytes));
        Assert.Contains(result.Diagnostics, d => d.Id == "VAE1004" && d.Span.StartLine == 0 && d.Span.StartColumn == 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_binary_blob_gives_a_located_error(int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        var asBytes = CheckFast(() => SpecChecker.Check(SpecText.TestPath, bytes));
        AssertLocatedError(asBytes, Encoding.UTF8.GetString(bytes), Array.Empty<string>());

        // The same bytes as a compiler would pass them: decoded leniently (U+FFFD), or as Latin-1 text.
        string lenient = Encoding.UTF8.GetString(bytes);
        AssertLocatedError(CheckFast(() => SpecText.Check(lenient)), lenient, new[] { "VAE1004" });
        string latin1 = Encoding.Latin1.GetString(bytes);
        AssertLocatedError(CheckFast(() => SpecText.Check(latin1)), latin1, Array.Empty<string>());
    }

    [Fact]
    public void Random_printable_noise_gives_a_located_error()
    {
        var random = new Random(42);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 :-[]{},&*!|>'\"#%@`?\n\t";
        for (int i = 0; i < 200; i++)
        {
            var chars = new char[random.Next(1, 400)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            string text = new string(chars);
            AssertLocatedError(CheckFast(() => SpecText.Check(text)), text, Array.Empty<string>());
        }
    }

    /// <summary>Nested anchors: level 0 has 10 scalars, each level 10 aliases of the one before (10^(levels) nodes).</summary>
    private static string BillionLaughs(int levels)
    {
        var sb = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level < levels; level++)
        {
            sb.Append("l" + level + ": &l" + level + " [" + string.Join(", ", Enumerable.Repeat("*l" + (level - 1), 10)) + "]\n");
        }

        return sb.ToString();
    }

    internal static SpecCheckResult CheckFast(Func<SpecCheckResult> check)
    {
        var task = Task.Run(check);
        Assert.True(task.Wait(Timeout), "the checker did not finish within " + Timeout);
        return task.Result;
    }

    internal static void AssertLocatedError(SpecCheckResult result, string text, string[] anyOf)
    {
        string all = SpecText.Describe(result);
        Assert.True(result.Diagnostics.Any(d => d.IsError), "no error reported: " + all);
        Assert.Null(result.Plan);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "VAE9001");
        if (anyOf.Length > 0)
        {
            Assert.True(result.Diagnostics.Any(d => anyOf.Contains(d.Id)), "expected one of " + string.Join(", ", anyOf) + ": " + all);
        }

        int lines = text.Count(ch => ch == '\n') + 1;
        foreach (var d in result.Diagnostics)
        {
            Assert.StartsWith("test.vae.yaml", d.Message, StringComparison.Ordinal);
            RuleTests.SpanIsInside(d.Span, text, lines);
        }
    }
}
