using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>
/// <c>padding: same</c> (spec 1.1) against PyTorch 1.13 (tools/torch/same_padding.py): for each case the checker's
/// plan pads exactly as a Conv2d after <c>F.pad</c> that PyTorch runs (whose output is TensorFlow's ceil(in / stride),
/// and at stride 1 equals PyTorch's own <c>padding="same"</c>), and an even split stays the conv's own padding, one
/// module, while an uneven one becomes a zero_pad2d row with its own index before the unpadded conv.
/// </summary>
public sealed class SamePaddingTests
{
    // H, W, kernel h and w, stride h and w, dilation h and w: strides 1, 2 and 3, even and odd kernels, dilation 2, odd sizes.
    private static readonly string[] Cases =
    [
        "28,28,3,3,2,2,1,1", "14,14,3,3,2,2,1,1", "28,28,3,3,1,1,1,1", "9,9,4,4,1,1,1,1", "9,7,2,2,2,2,1,1", "10,11,5,5,3,3,1,1",
        "7,7,3,3,1,1,2,2", "13,8,3,2,2,3,2,1", "5,5,5,5,3,3,1,1", "1,1,3,3,2,2,1,1", "6,6,1,1,2,2,1,1", "15,15,4,4,3,3,2,2",
        "8,8,7,7,1,1,1,1", "11,11,2,4,3,1,2,2",
    ];

    [PyTorchFact]
    public void Pads_and_shapes_are_a_conv_after_F_pad_in_PyTorch()
    {
        string[] lines = PyTorch.Run("same_padding.py", Cases).Split('\n', System.StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Cases.Length, lines.Length);
        foreach (string line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            string name = root.GetProperty("case").GetString()!;
            long[] pads = root.GetProperty("pads").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] output = root.GetProperty("output").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(root.GetProperty("tensorflow").EnumerateArray().Select(e => e.GetInt64()), output);
            if (root.TryGetProperty("matches_torch_same", out var same))
            {
                Assert.True(same.GetBoolean(), name + ": F.pad + conv differs from PyTorch's padding='same'");
            }

            var (padRow, conv) = Plan(name);
            Assert.Equal(TensorShape.Image(3, output[0], output[1]), conv.Output);
            bool even = pads[0] == pads[1] && pads[2] == pads[3];
            if (even)
            {
                Assert.Null(padRow);
                Assert.Equal("encoder.0", conv.ModuleName);
                Assert.Equal(new Size2(pads[2], pads[0]), ((Conv2dSpec)conv.Layer).Padding);
            }
            else
            {
                Assert.NotNull(padRow);
                var pad = (ZeroPad2dSpec)padRow!.Layer;
                Assert.Equal(pads, new[] { pad.Left, pad.Right, pad.Top, pad.Bottom });
                Assert.Equal(("encoder.0", "encoder.1"), (padRow.ModuleName, conv.ModuleName));
                Assert.Equal(Size2.Square(0), ((Conv2dSpec)conv.Layer).Padding);
                Assert.Equal("encoder.1.weight", conv.Tensors[0].Name);
            }

            Assert.False(((Conv2dSpec)conv.Layer).SamePadding);
        }
    }

    /// <summary>The zero_pad2d row (null when the padding splits evenly) and the conv row of a one-conv encoder.</summary>
    private static (LayerPlan? Pad, LayerPlan Conv) Plan(string name)
    {
        long[] c = name.Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        string yaml =
            "name: SameVae\n" +
            "input:\n" +
            "  shape: [2, " + c[0] + ", " + c[1] + "]\n" +
            "latent: 2\n" +
            "encoder:\n" +
            "  - conv2d: { out: 3, kernel: [" + c[2] + ", " + c[3] + "], stride: [" + c[4] + ", " + c[5] + "], dilation: [" + c[6] + ", " + c[7] + "], padding: same }\n" +
            "  - flatten\n" +
            "decoder:\n" +
            "  - linear: { out: " + (2 * c[0] * c[1]) + " }\n" +
            "  - unflatten: [2, " + c[0] + ", " + c[1] + "]\n";
        SpecCheckResult result = SpecChecker.Check("same.vae.yaml", yaml);
        ModelPlan plan = result.Plan ?? throw new Xunit.Sdk.XunitException(name + ": " + string.Join("; ", result.Diagnostics.Select(d => d.Message)));
        List<LayerPlan> rows = plan.Encoder.ToList();
        return rows[0].Layer is ZeroPad2dSpec ? (rows[0], rows[1]) : (null, rows[0]);
    }
}
