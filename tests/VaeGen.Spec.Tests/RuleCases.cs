using System.Collections.Generic;
using System.Linq;

namespace VaeGen.Spec.Tests;

/// <summary>
/// One failing spec per diagnostic and its near miss. <see cref="Yaml"/> has the expected location
/// marked with <see cref="MarkedYaml.Marker"/>; <see cref="Contains"/> are the key numbers and
/// runtime error texts the message must give; <see cref="Also"/> are the other IDs the failing spec
/// legitimately triggers (consequences of the same mistake), so no other noise goes unnoticed.
/// </summary>
public sealed record RuleCase(string Name, string Id, string Path, string Yaml, string NearMiss, string[] Contains, string[] Also, bool NearMissClean)
{
    public override string ToString() => Name;
}

/// <summary>The cases, built by small edits of two valid base specs.</summary>
internal static class RuleCases
{
    /// <summary>A small valid conv VAE: [1,8,8] -> conv [4,8,8] -> pool [4,4,4] -> [64] -> [16]; decoder [4] -> [64] -> [4,4,4] -> [1,8,8].</summary>
    public const string Conv =
        "name: TestVae\n" +
        "namespace: Tests.Specs\n" +
        "input:\n" +
        "  shape: [1, 8, 8]\n" +
        "latent: 4\n" +
        "encoder:\n" +
        "  - conv2d: { out: 4, kernel: 3, padding: 1, activation: relu }\n" +
        "  - maxpool2d: { kernel: 2 }\n" +
        "  - flatten\n" +
        "  - linear: { out: 16, activation: relu }\n" +
        "decoder:\n" +
        "  - linear: { out: 64, activation: relu }\n" +
        "  - unflatten: [4, 4, 4]\n" +
        "  - conv_transpose2d: { out: 1, kernel: 4, stride: 2, padding: 1 }\n" +
        "  - sigmoid\n";

    /// <summary>A valid MLP VAE on channels-last 28x28 gray images in [0, 1].</summary>
    public const string Mlp =
        "name: MlpVae\n" +
        "input:\n" +
        "  shape: [28, 28, 1]\n" +
        "  layout: nhwc\n" +
        "latent: 2\n" +
        "encoder:\n" +
        "  - flatten\n" +
        "  - linear: { out: 32, activation: relu }\n" +
        "decoder:\n" +
        "  - linear: { out: 784 }\n" +
        "  - unflatten: [1, 28, 28]\n" +
        "  - sigmoid\n";

    private const string ConvLine = "conv2d: { out: 4, kernel: 3, padding: 1, activation: relu }";
    private const string PoolLine = "maxpool2d: { kernel: 2 }";
    private const string DeconvLine = "conv_transpose2d: { out: 1, kernel: 4, stride: 2, padding: 1 }";
    private const string EncoderLinear = "linear: { out: 16, activation: relu }";

    public static IReadOnlyList<RuleCase> All { get; } = Build();

    public static RuleCase Get(string name) => All.Single(c => c.Name == name);

    private static RuleCase Case(string name, string id, string path, string yaml, string nearMiss, string[]? contains = null, string[]? also = null, bool nearMissClean = true) =>
        new RuleCase(name, id, path, yaml, nearMiss, contains ?? new string[0], also ?? new string[0], nearMissClean);

    private static string[] Texts(params string[] texts) => texts;

    private static List<RuleCase> Build()
    {
        const string T = "\t";
        // The root map and the input map are two levels, so input.shape may nest 62 lists (64 in all); the 63rd is too deep.
        var deepMarked = new string('[', 62) + MarkedYaml.Marker + new string('[', 8) + new string(']', 70);
        var nearDeep = new string('[', 61) + "1" + new string(']', 61);

        return new List<RuleCase>
        {
            // ---- VAE10xx: YAML that cannot be read -----------------------------------------------
            Case("yaml: unclosed [", "VAE1001", "",
                Conv.Edit("shape: [1, 8, 8]", "shape: ⟨[1, 8, 8"), Conv,
                Texts("'['", "not closed")),
            Case("yaml: unclosed {", "VAE1001", "",
                Conv.Edit(PoolLine, "maxpool2d: ⟨{ kernel: 2"), Conv,
                Texts("'{'", "not closed")),
            Case("yaml: unclosed [ at the end of the file", "VAE1001", "",
                Conv + "reduction: ⟨[sum", Conv + "reduction: sum",
                Texts("'['", "not closed")),
            Case("yaml: unclosed quote at the end of the file", "VAE1001", "",
                Conv + "reduction: ⟨'sum", Conv + "reduction: 'sum'",
                Texts("quoted scalar", "end of stream")),
            Case("yaml: unclosed quote", "VAE1001", "",
                Conv.Edit("name: TestVae", "name: ⟨\"TestVae"), Conv.Edit("name: TestVae", "name: \"TestVae\""),
                Texts("quoted")),
            Case("yaml: tab indentation", "VAE1001", "",
                Conv.Edit("  shape: [1, 8, 8]", "⟨" + T + "shape: [1, 8, 8]"), Conv.Edit("shape: [1, 8, 8]", "shape:" + T + "[1, 8, 8]"),
                Texts("tab")),
            Case("yaml: stray ]", "VAE1001", "",
                Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]⟨]"), Conv),
            Case("yaml: bad indentation", "VAE1001", "",
                Conv.Edit("  - flatten", " ⟨- flatten"), Conv),
            Case("yaml: duplicate top-level key", "VAE1003", "latent",
                Conv.Edit("latent: 4\n", "latent: 4\n⟨latent: 5\n"), Conv.Edit("latent: 4\n", "latent: 4\nbeta: 5\n"),
                Texts("'latent'", "twice")),
            Case("yaml: duplicate layer parameter", "VAE1003", "encoder[0].conv2d.kernel",
                Conv.Edit("kernel: 3, padding: 1", "kernel: 3, ⟨kernel: 5, padding: 1"), Conv.Edit("kernel: 3, padding: 1", "kernel: 3, stride: 1, padding: 1"),
                Texts("'kernel'")),
            Case("yaml: empty file", "VAE1002", "", "⟨", Conv),
            Case("yaml: only comments", "VAE1002", "", "⟨# a spec\n   # to be written\n", "# a spec\n" + Conv),
            Case("yaml: U+FFFD (bytes that were not UTF-8)", "VAE1004", "",
                Conv.Edit("name: TestVae", "name: Test⟨\uFFFDVae"), Conv.Edit("name: TestVae", "name: TestVae # café, naïve, Ω"),
                Texts("UTF-8")),
            Case("yaml: nesting deeper than 64", "VAE1005", "input.shape" + string.Concat(Enumerable.Repeat("[0]", 62)),
                Conv.Edit("shape: [1, 8, 8]", "shape: " + deepMarked), Conv.Edit("shape: [1, 8, 8]", "shape: " + nearDeep),
                Texts("64"), nearMissClean: false),
            Case("yaml: alias expansion bomb", "VAE1005", "",
                Bomb(marked: true) + Conv, Conv.Edit("activation: relu }\n  - maxpool2d", "activation: &act relu }\n  - maxpool2d").Edit(EncoderLinear, "linear: { out: 16, activation: *act }"),
                Texts("100,000")),
            Case("yaml: second document", "VAE1006", "",
                Conv + "⟨---\nname: Other\n", "---\n" + Conv + "...\n",
                Texts("second YAML document")),
            Case("yaml: complex key", "VAE1007", "",
                Conv + "? ⟨[a, b]\n: c\n", Conv.Edit("latent: 4", "? latent\n: 4"),
                Texts("a list")),

            // ---- VAE11xx: the v1 schema ------------------------------------------------------------
            Case("schema: the file is a list", "VAE1101", "",
                "⟨- name: TestVae\n- latent: 4\n", Conv,
                Texts("a list")),
            Case("schema: input is a list", "VAE1101", "input",
                Conv.Edit("  shape: [1, 8, 8]", "  ⟨- [1, 8, 8]"), Conv,
                Texts("a list")),
            Case("schema: layer parameters as a list", "VAE1101", "encoder[1].maxpool2d",
                Conv.Edit(PoolLine, "maxpool2d: ⟨[2, 2]"), Conv.Edit(PoolLine, "maxpool2d: { kernel: [2, 2] }"),
                Texts("a list")),
            Case("schema: shape of two sizes", "VAE1101", "input.shape",
                Conv.Edit("shape: [1, 8, 8]", "shape: ⟨[8, 8]"), Conv,
                Texts("has 2", "[H, W, 1]")),
            Case("schema: a map where a number belongs", "VAE1101", "latent",
                Conv.Edit("latent: 4", "latent: ⟨{ size: 4 }"), Conv,
                Texts("a map")),
            Case("schema: unknown parameter kernal", "VAE1102", "encoder[0].conv2d.kernal",
                Conv.Edit("kernel: 3, padding: 1", "⟨kernal: 3, padding: 1"), Conv,
                Texts("'kernal'", "did you mean 'kernel'"), also: Texts("VAE1103")),
            Case("schema: unknown top-level key latnet", "VAE1102", "latnet",
                Conv.Edit("latent: 4", "⟨latnet: 4"), Conv,
                Texts("did you mean 'latent'"), also: Texts("VAE1103")),
            Case("schema: input key at the top level", "VAE1102", "shape",
                Conv.Edit("input:\n  shape: [1, 8, 8]\n", "⟨shape: [1, 8, 8]\ninput:\n  layout: nchw\n"), Conv.Edit("input:\n  shape: [1, 8, 8]\n", "input:\n  layout: nchw\n  shape: [1, 8, 8]\n"),
                Texts("belongs inside 'input:'"), also: Texts("VAE1103")),
            Case("schema: missing latent", "VAE1103", "",
                "⟨" + Conv.Remove("latent: 4\n"), Conv,
                Texts("'latent'")),
            Case("schema: missing input.shape", "VAE1103", "input",
                Conv.Edit("  shape: [1, 8, 8]", "  ⟨layout: nchw"), Conv.Edit("  shape: [1, 8, 8]", "  shape: [1, 8, 8]\n  layout: nchw"),
                Texts("'input.shape'")),
            Case("schema: conv2d without out", "VAE1103", "encoder[0].conv2d",
                Conv.Edit(ConvLine, "⟨conv2d: { kernel: 3, padding: 1, activation: relu }"), Conv,
                Texts("'out'")),
            Case("schema: string for an int", "VAE1104", "encoder[0].conv2d.out",
                Conv.Edit("{ out: 4, kernel: 3", "{ out: ⟨\"4\", kernel: 3"), Conv,
                Texts("the string \"4\"", "without quotes")),
            Case("schema: float for an int", "VAE1104", "latent",
                Conv.Edit("latent: 4", "latent: ⟨4.0"), Conv,
                Texts("4.0", "write 4")),
            Case("schema: float for a size pair", "VAE1104", "encoder[1].maxpool2d.kernel[1]",
                Conv.Edit(PoolLine, "maxpool2d: { kernel: [2, ⟨2.5] }"), Conv.Edit(PoolLine, "maxpool2d: { kernel: [2, 2] }"),
                Texts("2.5", "whole numbers")),
            Case("schema: word for a number", "VAE1104", "beta",
                Conv.Edit("latent: 4", "latent: 4\nbeta: ⟨high"), Conv.Edit("latent: 4", "latent: 4\nbeta: 2"),
                Texts("'high'")),
            Case("schema: word for true/false", "VAE1104", "encoder[1].maxpool2d.ceil_mode",
                Conv.Edit(PoolLine, "maxpool2d: { kernel: 2, ceil_mode: ⟨sometimes }"), Conv.Edit(PoolLine, "maxpool2d: { kernel: 2, ceil_mode: true }"),
                Texts("true or false")),
            Case("range: zero size", "VAE1105", "encoder[3].linear.out",
                Conv.Edit(EncoderLinear, "linear: { out: ⟨0, activation: relu }"), Conv.Edit(EncoderLinear, "linear: { out: 1, activation: relu }"),
                Texts("at least 1", "is 0")),
            Case("range: negative size", "VAE1105", "encoder[0].conv2d.kernel",
                Conv.Edit("kernel: 3, padding: 1", "kernel: ⟨-3, padding: 1"), Conv,
                Texts("at least 1", "is -3")),
            Case("range: zero input size", "VAE1105", "input.shape[0]",
                Conv.Edit("shape: [1, 8, 8]", "shape: [⟨0, 8, 8]"), Conv,
                Texts("at least 1", "is 0")),
            Case("range: negative padding", "VAE1105", "encoder[0].conv2d.padding",
                Conv.Edit("padding: 1, activation", "padding: ⟨-1, activation"), Conv.Edit("padding: 1, activation", "padding: 0, activation"),
                Texts("at least 0", "is -1")),
            Case("range: dropout p = 1", "VAE1105", "encoder[3].dropout.p",
                Conv.Edit("  - flatten\n", "  - flatten\n  - dropout: { p: ⟨1 }\n"), Conv.Edit("  - flatten\n", "  - flatten\n  - dropout: { p: 0.99 }\n"),
                Texts("[0, 1)", "is 1")),
            Case("range: dropout p < 0", "VAE1105", "encoder[3].dropout.p",
                Conv.Edit("  - flatten\n", "  - flatten\n  - dropout: { p: ⟨-0.1 }\n"), Conv.Edit("  - flatten\n", "  - flatten\n  - dropout: { p: 0 }\n"),
                Texts("[0, 1)", "-0.1")),
            Case("range: beta < 0", "VAE1105", "beta",
                Conv.Edit("latent: 4", "latent: 4\nbeta: ⟨-0.5"), Conv.Edit("latent: 4", "latent: 4\nbeta: 0.5"),
                Texts("at least 0", "-0.5")),
            Case("range: scale = 0", "VAE1105", "input.scale",
                Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  scale: ⟨0"), Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  scale: 1"),
                Texts("above 0", "is 0")),
            Case("range: scale < 0", "VAE1105", "input.scale",
                Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  range: [-255, 0]\n  scale: ⟨-255"), Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  range: [0, 255]\n  scale: 255"),
                Texts("above 0", "-255")),
            Case("range: range min not below max", "VAE1105", "input.range",
                Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  range: ⟨[1, 0]"), Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  range: [0, 1]"),
                Texts("[1, 0]")),
            Case("range: number too large for long", "VAE1105", "latent",
                Conv.Edit("latent: 4", "latent: ⟨1000000000000000000000000000000"), Conv,
                Texts("too large", "9223372036854775807")),
            Case("schema: unknown layer conv2D", "VAE1106", "encoder[0]",
                Conv.Edit(ConvLine, "⟨conv2D: { out: 4, kernel: 3, padding: 1, activation: relu }"), Conv,
                Texts("'conv2D'", "did you mean 'conv2d'")),
            Case("schema: unknown layer maxpool", "VAE1106", "encoder[1]",
                Conv.Edit(PoolLine, "⟨maxpool: { kernel: 2 }"), Conv,
                Texts("'maxpool'", "did you mean 'maxpool2d'")),
            Case("schema: unknown bare layer flaten", "VAE1106", "encoder[2]",
                Conv.Edit("  - flatten", "  - ⟨flaten"), Conv,
                Texts("did you mean 'flatten'")),
            Case("choice: layout", "VAE1107", "input.layout",
                Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  layout: ⟨nwhc"), Conv.Edit("shape: [1, 8, 8]", "shape: [1, 8, 8]\n  layout: nchw"),
                Texts("nchw or nhwc", "did you mean 'nhwc'")),
            Case("choice: reconstruction", "VAE1107", "reconstruction",
                Conv.Edit("latent: 4", "latent: 4\nreconstruction: ⟨bce_logit"), Conv.Edit("latent: 4", "latent: 4\nreconstruction: mse"),
                Texts("did you mean 'bce_logits'")),
            Case("choice: reduction", "VAE1107", "reduction",
                Conv.Edit("latent: 4", "latent: 4\nreduction: ⟨average"), Conv.Edit("latent: 4", "latent: 4\nreduction: mean"),
                Texts("sum or mean")),
            Case("choice: backend", "VAE1107", "backend",
                Conv.Edit("latent: 4", "latent: 4\nbackend: ⟨cuda"), Conv.Edit("latent: 4", "latent: 4\nbackend: managed"),
                Texts("torchsharp or managed")),
            Case("choice: activation", "VAE1107", "encoder[0].conv2d.activation",
                Conv.Edit("activation: relu }\n  - maxpool2d", "activation: ⟨rleu }\n  - maxpool2d"), Conv.Edit("activation: relu }\n  - maxpool2d", "activation: { leaky_relu: { slope: 0.2 } } }\n  - maxpool2d"),
                Texts("did you mean 'relu'")),
            Case("choice: upsample mode", "VAE1107", "decoder[2].upsample.mode",
                Conv.Edit(DeconvLine, "upsample: { scale: 2, mode: ⟨bilinaer }\n  - conv2d: { out: 1, kernel: 3, padding: 1 }"),
                Conv.Edit(DeconvLine, "upsample: { scale: 2, mode: bilinear }\n  - conv2d: { out: 1, kernel: 3, padding: 1 }"),
                Texts("did you mean 'bilinear'")),
            Case("choice: init (spec 1.1)", "VAE1107", "init",
                Conv.Edit("latent: 4", "latent: 4\ninit: ⟨glorot_uniform"), Conv.Edit("latent: 4", "latent: 4\ninit: xavier_uniform"),
                Texts("xavier_uniform", "kaiming_normal")),
            Case("choice: a layer's init (spec 1.1)", "VAE1107", "encoder[3].linear.init",
                Conv.Edit(EncoderLinear, "linear: { out: 16, activation: relu, init: ⟨kaiming }"), Conv.Edit(EncoderLinear, "linear: { out: 16, activation: relu, init: kaiming_uniform }"),
                Texts("kaiming_uniform", "xavier_normal")),
            Case("name: starts with a digit", "VAE1108", "name",
                Conv.Edit("name: TestVae", "name: ⟨3Vae"), Conv.Edit("name: TestVae", "name: Vae3"),
                Texts("'3Vae'", "C# identifier")),
            Case("name: a C# keyword", "VAE1108", "name",
                Conv.Edit("name: TestVae", "name: ⟨class"), Conv.Edit("name: TestVae", "name: Class"),
                Texts("'class'")),
            Case("name: a dash", "VAE1108", "name",
                Conv.Edit("name: TestVae", "name: ⟨Test-Vae"), Conv.Edit("name: TestVae", "name: Test_Vae"),
                Texts("'Test-Vae'", "TestVae")),
            Case("namespace: empty part", "VAE1108", "namespace",
                Conv.Edit("namespace: Tests.Specs", "namespace: ⟨Tests..Specs"), Conv,
                Texts("'Tests..Specs'")),
            Case("namespace: keyword part", "VAE1108", "namespace",
                Conv.Edit("namespace: Tests.Specs", "namespace: ⟨Tests.class.Specs"), Conv.Edit("namespace: Tests.Specs", "namespace: Tests.Class.Specs"),
                Texts("'Tests.class.Specs'")),
            Case("namespace: trailing dot", "VAE1108", "namespace",
                Conv.Edit("namespace: Tests.Specs", "namespace: ⟨Tests.Specs."), Conv,
                Texts("'Tests.Specs.'")),
            Case("layer: conv2d as a bare word", "VAE1110", "encoder[0].conv2d",
                Conv.Edit(ConvLine, "⟨conv2d"), Conv,
                Texts("needs parameters", "out: ...", "kernel: ...")),
            Case("layer: parameters not indented", "VAE1110", "encoder[0]",
                Conv.Edit("  - " + ConvLine, "  - ⟨conv2d:\n    out: 4\n    kernel: 3\n    padding: 1"),
                Conv.Edit("  - " + ConvLine, "  - conv2d:\n      out: 4\n      kernel: 3\n      padding: 1"),
                Texts("4 keys", "indent the parameters")),
            Case("layer: parameters for relu", "VAE1110", "decoder[3].sigmoid",
                Conv.Edit("  - sigmoid", "  - sigmoid: ⟨{ inplace: true }"), Conv.Edit("  - sigmoid", "  - sigmoid: {}"),
                Texts("takes no parameters")),
            Case("layer: a list as a layer", "VAE1110", "decoder[3]",
                Conv.Edit("  - sigmoid", "  - ⟨[sigmoid]"), Conv,
                Texts("a list")),
            Case("layer: unflatten without shape", "VAE1110", "decoder[1].unflatten",
                Conv.Edit("unflatten: [4, 4, 4]", "⟨unflatten"), Conv,
                Texts("[C, H, W]")),

            // ---- VAE2xxx: shapes -----------------------------------------------------------------
            Case("shape: conv kernel larger than padded input", "VAE2001", "encoder[0].conv2d.kernel",
                Conv.Edit("kernel: 3, padding: 1", "kernel: ⟨11, padding: 1"), Conv.Edit("kernel: 3, padding: 1", "kernel: 11, padding: 2"),
                Texts("[1, 8, 8]", "10x10", "Calculated padded input size per channel: (10 x 10). Kernel size: (11 x 11). Kernel size can't be greater than actual input size", "padding: 2"),
                also: Texts("VAE2002")),
            Case("shape: dilated conv kernel larger than padded input", "VAE2001", "encoder[0].conv2d.kernel",
                Conv.Edit("kernel: 3, padding: 1", "kernel: ⟨[3, 2], padding: 1, dilation: 5"), Conv.Edit("kernel: 3, padding: 1", "kernel: [3, 2], padding: [5, 1], dilation: 5"),
                Texts("dilated to 11x6", "Calculated padded input size per channel: (10 x 10). Kernel size: (11 x 6). Kernel size can't be greater than actual input size"),
                also: Texts("VAE2002")),
            Case("shape: pool window larger than the map", "VAE2002", "encoder[1].maxpool2d.kernel",
                Conv.Edit(PoolLine, "maxpool2d: { kernel: ⟨16 }"), Conv.Edit(PoolLine, "maxpool2d: { kernel: 8 }"),
                Texts("[4, 8, 8]", "Given input size: (4x8x8). Calculated output size: (4x0x0). Output size is too small")),
            Case("shape: pool window larger than the map, ceil_mode", "VAE2002", "encoder[1].maxpool2d.kernel",
                Conv.Edit(PoolLine, "maxpool2d: { kernel: ⟨9, ceil_mode: true }"), Conv.Edit(PoolLine, "maxpool2d: { kernel: 8, ceil_mode: true }"),
                Texts("8x8", "9x9 window", "ceil_mode")),
            Case("shape: transposed conv output < 1", "VAE2003", "decoder[2].conv_transpose2d.padding",
                Conv.Edit(DeconvLine, "conv_transpose2d: { out: 1, kernel: 4, stride: 2, padding: ⟨5 }"), Conv.Edit(DeconvLine, "conv_transpose2d: { out: 1, kernel: 12, stride: 2, padding: 5 }"),
                Texts("[4, 4, 4]", "Given input size per channel: (4 x 4). Calculated output size per channel: (0 x 0). Output size is too small")),
            Case("shape: output_padding not below stride or dilation", "VAE2004", "decoder[2].conv_transpose2d.output_padding",
                Conv.Edit(DeconvLine, "conv_transpose2d: { out: 1, kernel: 3, stride: 2, padding: 1, output_padding: ⟨2 }"), Conv.Edit(DeconvLine, "conv_transpose2d: { out: 1, kernel: 3, stride: 2, padding: 1, output_padding: 1 }"),
                Texts("output padding must be smaller than either stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1")),
            Case("shape: input over 32-bit element count", "VAE2005", "input.shape",
                Conv.Edit("shape: [1, 8, 8]", "shape: ⟨[1, 65536, 65536]"), BoundaryMlp(2147483647),
                Texts("[1, 65536, 65536]", "4,294,967,296", "2,147,483,647")),
            Case("shape: weight over 32-bit element count", "VAE2005", "decoder[0].linear",
                Conv.Edit("  - linear: { out: 64, activation: relu }", "  - ⟨linear: { out: 600000000, activation: relu }"),
                Conv.Edit("  - linear: { out: 64, activation: relu }", "  - linear: { out: 500000000, activation: relu }\n  - linear: { out: 4 }\n  - linear: { out: 64 }"),
                Texts("decoder.0.weight [600000000, 4]", "2,400,000,000", "2,147,483,647"),
                also: Texts("VAE2008")),
            Case("shape: conv after flatten (no unflatten)", "VAE2006", "decoder[1].conv_transpose2d",
                Conv.Remove("  - unflatten: [4, 4, 4]\n").Edit("  - " + DeconvLine, "  - ⟨" + DeconvLine), Conv,
                Texts("[64]", "Expected 3D (unbatched) or 4D (batched) input with C channels to ConvTranspose2d.", "unflatten")),
            Case("shape: conv after flatten in the encoder", "VAE2006", "encoder[1].conv2d",
                Conv.Edit("  - " + ConvLine, "  - flatten\n  - ⟨" + ConvLine), Conv,
                Texts("[64]", "Expected 3D (unbatched) or 4D (batched) input with C channels to Conv2d.", "unflatten: [C, H, W]' before it, with C*H*W = 64")),
            Case("shape: linear on [C, H, W] (no flatten)", "VAE2007", "encoder[2].linear",
                Conv.Remove("  - flatten\n").Edit("  - " + EncoderLinear, "  - ⟨" + EncoderLinear), Conv,
                Texts("[4, 4, 4]", "mat1 and mat2 shapes cannot be multiplied (16x4 and 64x16)", "flatten", "[64]")),
            Case("shape: unflatten of an image", "VAE2007", "decoder[2].unflatten",
                Conv.Edit("  - unflatten: [4, 4, 4]\n", "  - unflatten: [4, 4, 4]\n  - ⟨unflatten: [4, 4, 4]\n"), Conv,
                Texts("[4, 4, 4]", "flatten")),
            Case("shape: unflatten count differs", "VAE2008", "decoder[1].unflatten",
                Conv.Edit("unflatten: [4, 4, 4]", "unflatten: ⟨[8, 4, 4]"), Conv,
                Texts("128", "64", "unflatten: Provided sizes [8, 4, 4] don't multiply up to the size of dim 1 (64) in the input tensor")),
            Case("shape: encoder does not end flat", "VAE2009", "encoder[1].maxpool2d",
                Conv.Remove("  - flatten\n  - " + EncoderLinear + "\n").Edit("  - " + PoolLine, "  - ⟨" + PoolLine), Conv.Remove("  - " + EncoderLinear + "\n"),
                Texts("[4, 4, 4]", "flatten", "[64]")),
            Case("shape: decoder ends with other channels", "VAE2010", "decoder[3].sigmoid",
                Conv.Edit("{ out: 1, kernel: 4", "{ out: 3, kernel: 4").Edit("  - sigmoid", "  - ⟨sigmoid"), Conv,
                Texts("[3, 8, 8]", "[1, 8, 8]", "out: 1")),
            Case("shape: decoder ends with a permutation of the input", "VAE2010", "decoder[2].sigmoid",
                Mlp.Remove("  layout: nhwc\n").Edit("  - sigmoid", "  - ⟨sigmoid"), Mlp,
                Texts("[1, 28, 28]", "[28, 28, 1]", "permutation"), also: Texts("VAE3001")),
            Case("shape: decoder ends flat", "VAE2010", "decoder[0].linear",
                Conv.Edit("  - linear: { out: 64, activation: relu }\n  - unflatten: [4, 4, 4]\n  - " + DeconvLine + "\n  - sigmoid\n", "  - ⟨linear: { out: 64 }\n"),
                Conv.Edit("  - linear: { out: 64, activation: relu }\n  - unflatten: [4, 4, 4]\n  - " + DeconvLine + "\n  - sigmoid\n", "  - linear: { out: 64 }\n  - unflatten: [1, 8, 8]\n"),
                Texts("[64]", "unflatten: [1, 8, 8]")),
            Case("shape: conv in: disagrees", "VAE2011", "encoder[0].conv2d.in",
                Conv.Edit("{ out: 4, kernel: 3", "{ in: ⟨3, out: 4, kernel: 3"), Conv.Edit("{ out: 4, kernel: 3", "{ in: 1, out: 4, kernel: 3"),
                Texts("in: 3", "gets 1 channels", "Expected 3D (unbatched) or 4D (batched) input with 3 channels to Conv2d.", "in: 1")),
            Case("shape: conv_transpose2d in: disagrees", "VAE2011", "decoder[2].conv_transpose2d.in",
                Conv.Edit("{ out: 1, kernel: 4", "{ in: ⟨5, out: 1, kernel: 4"), Conv.Edit("{ out: 1, kernel: 4", "{ in: 4, out: 1, kernel: 4"),
                Texts("in: 5", "Expected 3D (unbatched) or 4D (batched) input with 5 channels to ConvTranspose2d.", "in: 4")),
            Case("shape: linear in: disagrees", "VAE2011", "encoder[3].linear.in",
                Conv.Edit(EncoderLinear, "linear: { out: 16, in: ⟨65, activation: relu }"), Conv.Edit(EncoderLinear, "linear: { out: 16, in: 64, activation: relu }"),
                Texts("in: 65", "64 features", "mat1 and mat2 shapes cannot be multiplied (1x64 and 65x16)", "in: 64")),
            Case("shape: pool padding over half the kernel", "VAE2012", "encoder[1].maxpool2d.padding",
                Conv.Edit(PoolLine, "maxpool2d: { kernel: 2, padding: ⟨2 }"), Conv.Edit(PoolLine, "maxpool2d: { kernel: 2, padding: 1 }"),
                Texts("pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1", "padding: 1")),
            Case("shape: flatten of a flat vector", "VAE2013", "encoder[4].flatten",
                Conv.Edit("  - " + EncoderLinear + "\n", "  - " + EncoderLinear + "\n  - ⟨flatten\n"), Conv,
                Texts("[16]")),

            // ---- spec 1.1: padding: same, zero_pad2d, residual --------------------------------------------
            Case("v1.1: residual body changes the shape", "VAE2014", "encoder[1].residual",
                Conv.Edit("  - " + PoolLine, "  - ⟨residual: [ conv2d: { out: 8, kernel: 3, padding: same } ]\n  - " + PoolLine),
                Conv.Edit("  - " + PoolLine, "  - residual: [ conv2d: { out: 4, kernel: 3, padding: same } ]\n  - " + PoolLine),
                Texts("[4, 8, 8]", "[8, 8, 8]", "The size of tensor a (4) must match the size of tensor b (8) at non-singleton dimension 1")),
            Case("v1.1: residual body shrinks to a broadcastable shape", "VAE2014", "encoder[1].residual",
                Conv.Edit("  - " + PoolLine, "  - ⟨residual: [ conv2d: { out: 1, kernel: 3 } ]\n  - " + PoolLine),
                Conv.Edit("  - " + PoolLine, "  - residual: [ conv2d: { out: 4, kernel: 3, padding: 1 } ]\n  - " + PoolLine),
                Texts("[4, 8, 8]", "[1, 6, 6]", "The size of tensor a (8) must match the size of tensor b (6) at non-singleton dimension 3")),
            Case("v1.1: empty residual", "VAE1110", "encoder[1].residual",
                Conv.Edit("  - " + PoolLine, "  - residual: ⟨[]\n  - " + PoolLine),
                Conv.Edit("  - " + PoolLine, "  - residual: [ relu ]\n  - " + PoolLine),
                Texts("non-empty")),
            Case("v1.1: padding: same on maxpool2d", "VAE1107", "encoder[1].maxpool2d.padding",
                Conv.Edit(PoolLine, "maxpool2d: { kernel: 2, padding: ⟨same }"), Conv.Edit(PoolLine, "maxpool2d: { kernel: 2, padding: 0 }"),
                Texts("only for conv2d", "zero_pad2d")),
            Case("v1.1: padding: same on conv_transpose2d", "VAE1107", "decoder[2].conv_transpose2d.padding",
                Conv.Edit(DeconvLine, "conv_transpose2d: { out: 1, kernel: 4, stride: 2, padding: ⟨same }"), Conv,
                Texts("only for conv2d", "output_padding")),
            Case("v1.1: zero_pad2d on a flat vector", "VAE2006", "encoder[3].zero_pad2d",
                Conv.Edit("  - flatten\n", "  - flatten\n  - ⟨zero_pad2d: 1\n"), Conv.Edit("  - flatten\n", "  - zero_pad2d: 1\n  - flatten\n"),
                Texts("[64]", "zero_pad2d")),

            // ---- VAE3xxx: channel order and the seed 002 checklist ------------------------------------
            Case("order: [28, 28, 1] with the default nchw", "VAE3001", "input.shape",
                Mlp.Remove("  layout: nhwc\n").Edit("shape: [28, 28, 1]", "shape: ⟨[28, 28, 1]"), Mlp,
                Texts("[28, 28, 1]", "layout: nhwc", "(the default)", "[1, 28, 28]"), also: Texts("VAE2010")),
            Case("order: [28, 28, 1] with an explicit nchw", "VAE3001", "input.shape",
                Mlp.Edit("layout: nhwc", "layout: nchw").Edit("shape: [28, 28, 1]", "shape: ⟨[28, 28, 1]").Edit("unflatten: [1, 28, 28]", "unflatten: [28, 28, 1]"),
                Mlp,
                Texts("layout: nhwc")),
            Case("order: [1, 28, 28] with nhwc", "VAE3002", "input.shape",
                Mlp.Edit("shape: [28, 28, 1]", "shape: ⟨[1, 28, 28]"), Mlp.Edit("shape: [28, 28, 1]", "shape: [1, 28, 28]").Edit("layout: nhwc", "layout: nchw"),
                Texts("[1, 28, 28]", "layout: nchw", "[28, 28, 1]"), also: Texts("VAE2010")),
            Case("loss: bce_logits after a final sigmoid", "VAE3003", "decoder[3].sigmoid",
                Conv.Edit("latent: 4", "latent: 4\nreconstruction: bce_logits").Edit("  - sigmoid", "  - ⟨sigmoid"), Conv.Edit("latent: 4", "latent: 4\nreconstruction: bce_logits").Remove("  - sigmoid\n"),
                Texts("sigmoid is applied twice")),
            Case("loss: bce without a final sigmoid", "VAE3004", "reconstruction",
                Conv.Edit("latent: 4", "latent: 4\nreconstruction: ⟨bce").Remove("  - sigmoid\n"), Conv.Edit("latent: 4", "latent: 4\nreconstruction: bce"),
                Texts("conv_transpose2d", "all elements of input should be between 0 and 1", "bce_logits")),
            Case("loss: bce with [0, 255] and no scale", "VAE3005", "input.range",
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: ⟨[0, 255]").Edit("latent: 2", "latent: 2\nreconstruction: bce"),
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: [0, 255]\n  scale: 255").Edit("latent: 2", "latent: 2\nreconstruction: bce"),
                Texts("range [0, 255] / scale 1 = [0, 255]", "scale: 255")),
            Case("loss: bce_logits with [0, 255] and no scale", "VAE3005", "input.range",
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: ⟨[0, 255]").Edit("latent: 2", "latent: 2\nreconstruction: bce_logits").Remove("  - sigmoid\n"),
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: [0, 255]\n  scale: 255").Edit("latent: 2", "latent: 2\nreconstruction: bce_logits").Remove("  - sigmoid\n"),
                Texts("bce_logits", "[0, 255]", "scale: 255")),
            Case("loss: bce with a scale that leaves [0, 2]", "VAE3005", "input.scale",
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  scale: ⟨0.5").Edit("latent: 2", "latent: 2\nreconstruction: bce"),
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  scale: 1").Edit("latent: 2", "latent: 2\nreconstruction: bce"),
                Texts("range [0, 1] / scale 0.5 = [0, 2]")),
            Case("loss: sigmoid and mse with [0, 255] and no scale", "VAE3006", "input.range",
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: ⟨[0, 255]"), Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: [0, 255]\n  scale: 255"),
                Texts("[0, 255]", "sigmoid", "scale: 255")),
            Case("loss: sigmoid and gaussian with [0, 255] and no scale (spec 1.1)", "VAE3006", "input.range",
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: ⟨[0, 255]").Edit("latent: 2", "latent: 2\nreconstruction: gaussian"),
                Mlp.Edit("layout: nhwc", "layout: nhwc\n  range: [0, 255]\n  scale: 255").Edit("latent: 2", "latent: 2\nreconstruction: gaussian"),
                Texts("[0, 255]", "sigmoid", "scale: 255")),
            Case("loss: sigma without gaussian (spec 1.1)", "VAE3008", "sigma",
                Conv.Edit("latent: 4", "latent: 4\n⟨sigma: 0.1"), Conv.Edit("latent: 4", "latent: 4\nreconstruction: gaussian\nsigma: 0.1"),
                Texts("mse (the default)", "no effect", "reconstruction: gaussian")),
            Case("range: sigma not above 0 (spec 1.1)", "VAE1105", "sigma",
                Conv.Edit("latent: 4", "latent: 4\nreconstruction: gaussian\nsigma: ⟨0"), Conv.Edit("latent: 4", "latent: 4\nreconstruction: gaussian\nsigma: learned"),
                Texts("above 0", "learned")),
            Case("choice: sigma neither a number nor learned (spec 1.1)", "VAE1107", "sigma",
                Conv.Edit("latent: 4", "latent: 4\nreconstruction: gaussian\nsigma: ⟨learnt"), Conv.Edit("latent: 4", "latent: 4\nreconstruction: gaussian\nsigma: 0.5"),
                Texts("did you mean 'learned'")),
            Case("kl: both warmup and capacity (spec 1.1)", "VAE1111", "kl",
                Conv.Edit("latent: 4", "latent: 4\n⟨kl: { warmup: 100, capacity: { max: 5, steps: 100, gamma: 10 } }"), Conv.Edit("latent: 4", "latent: 4\nkl: { warmup: 100 }"),
                Texts("both warmup and capacity")),
            Case("kl: neither warmup nor capacity (spec 1.1)", "VAE1111", "kl",
                Conv.Edit("latent: 4", "latent: 4\n⟨kl: { }"), Conv.Edit("latent: 4", "latent: 4\nkl: { capacity: { max: 5, steps: 100, gamma: 10 } }"),
                Texts("neither warmup nor capacity")),
            Case("range: kl warmup below 0 (spec 1.1)", "VAE1105", "kl.warmup",
                Conv.Edit("latent: 4", "latent: 4\nkl: { warmup: ⟨-1 }"), Conv.Edit("latent: 4", "latent: 4\nkl: { warmup: 0 }"),
                Texts("at least 0")),
            Case("range: kl capacity gamma not above 0 (spec 1.1)", "VAE1105", "kl.capacity.gamma",
                Conv.Edit("latent: 4", "latent: 4\nkl: { capacity: { max: 5, steps: 100, gamma: ⟨0 } }"), Conv.Edit("latent: 4", "latent: 4\nkl: { capacity: { max: 0, steps: 1, gamma: 0.5 } }"),
                Texts("above 0")),
            Case("condition: classes below 2 (spec 1.1)", "VAE1112", "condition.classes",
                Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: ⟨1 }"), Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: 2 }"),
                Texts("at least 2, but is 1", "one class")),
            Case("condition: classes not an integer (spec 1.1)", "VAE1104", "condition.classes",
                Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: ⟨2.5 }"), Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: 3 }")),
            Case("condition: unknown key (spec 1.1)", "VAE1102", "condition.clases",
                Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: 3, ⟨clases: 3 }"), Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: 3 }"),
                Texts("did you mean 'classes'")),
            Case("condition: classes missing (spec 1.1)", "VAE1103", "condition",
                Conv.Edit("latent: 4", "latent: 4\ncondition: { ⟨labels: 3 }"), Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: 3 }"),
                Texts("condition.classes"), also: Texts("VAE1102")),
            Case("condition: not a map (spec 1.1)", "VAE1101", "condition",
                Conv.Edit("latent: 4", "latent: 4\ncondition: ⟨10"), Conv.Edit("latent: 4", "latent: 4\ncondition: { classes: 10 }"),
                Texts("condition: { classes: 10 }")),
            Case("shape: a conditional decoder's first linear reads latent + classes (spec 1.1)", "VAE2011", "decoder[0].linear.in",
                Mlp.Edit("latent: 2", "latent: 2\ncondition: { classes: 10 }").Edit("linear: { out: 784 }", "linear: { in: ⟨2, out: 784 }"),
                Mlp.Edit("latent: 2", "latent: 2\ncondition: { classes: 10 }").Edit("linear: { out: 784 }", "linear: { in: 12, out: 784 }"),
                Texts("in: 2", "gets 12 features", "concat(z, one_hot(y)), latent 2 + 10 classes", "in: 12")),
            Case("loss: beta with a kl capacity (spec 1.1)", "VAE3009", "beta",
                Conv.Edit("latent: 4", "latent: 4\n⟨beta: 4\nkl: { capacity: { max: 5, steps: 100, gamma: 10 } }"), Conv.Edit("latent: 4", "latent: 4\nbeta: 4\nkl: { warmup: 100 }"),
                Texts("no effect", "gamma")),
            Case("loss: beta 0", "VAE3007", "beta",
                Conv.Edit("latent: 4", "latent: 4\nbeta: ⟨0"), Conv.Edit("latent: 4", "latent: 4\nbeta: 0.001"),
                Texts("beta: 0", "plain autoencoder")),
        };
    }

    /// <summary>An MLP on [1, 1, n] with latent 1: every tensor has at most n elements.</summary>
    public static string BoundaryMlp(long n) =>
        "name: BigVae\n" +
        "input:\n" +
        "  shape: [1, 1, " + n + "]\n" +
        "latent: 1\n" +
        "encoder:\n" +
        "  - flatten\n" +
        "decoder:\n" +
        "  - linear: { out: " + n + " }\n" +
        "  - unflatten: [1, 1, " + n + "]\n";

    /// <summary>A billion-laughs alias bomb of unknown top-level keys; the marker at the alias that crosses 100,000 nodes.</summary>
    public static string Bomb(bool marked)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 8; level++)
        {
            sb.Append("l" + level + ": &l" + level + " [");
            for (int i = 0; i < 10; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ");

                // Nodes counted: l0 11, l1 +111, l2 +1,111, l3 +11,111, then each *l3 adds 11,111:
                // 12,345 + 8 * 11,111 > 100,000 at the eighth alias of l4.
                sb.Append(marked && level == 4 && i == 7 ? MarkedYaml.Marker.ToString() : string.Empty);
                sb.Append("*l" + (level - 1));
            }

            sb.Append("]\n");
        }

        return sb.ToString();
    }
}
