using System.Linq;
using VaeGen.Spec.Shapes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Spec.Tests;

public class ShippedSpecTests
{
    [Theory]
    [InlineData("seed000.vae.yaml")]
    [InlineData("seed002_rgb64.vae.yaml")]
    [InlineData("fashion_mlp.vae.yaml")]
    [InlineData("fashion_conv.vae.yaml")]
    [InlineData("vanilla_vae64.vae.yaml")]
    public void Shipped_specs_are_clean(string file)
    {
        var result = SpecText.CheckFile(TestSpecs.Path(file));
        Assert.True(result.Diagnostics.Count == 0, SpecText.Describe(result));
        Assert.NotNull(result.Plan);
    }

    [Fact]
    public void Seed000_shapes_match_the_walkthrough()
    {
        var plan = SpecText.CheckFile(TestSpecs.Path("seed000.vae.yaml")).Plan!;
        // spec-language.md: [3,5,5] -> [32,3,3] -> [32,1,1] -> [64,1,1] -> [64] -> [256]; heads [128]; decoder [256] -> [75] -> [3,5,5].
        Assert.Equal(TensorShape.Image(3, 5, 5), plan.InputShape);
        var encoder = plan.Encoder.Select(l => (l.ModuleName, l.Output.ToString())).ToArray();
        Assert.Equal(
            new[]
            {
                ("encoder.0", "[32, 3, 3]"), ("encoder.1", "[32, 3, 3]"), ("encoder.2", "[32, 1, 1]"), ("encoder.3", "[64, 1, 1]"),
                ("encoder.4", "[64, 1, 1]"), ("encoder.5", "[64]"), ("encoder.6", "[256]"), ("encoder.7", "[256]"),
            },
            encoder);
        Assert.Equal("[128]", plan.Mu.Output.ToString());
        Assert.Equal("[128]", plan.LogVar.Output.ToString());
        Assert.Equal(new[] { "[256]", "[256]", "[75]", "[3, 5, 5]", "[3, 5, 5]" }, plan.Decoder.Select(l => l.Output.ToString()).ToArray());
    }

    [Fact]
    public void A_learned_sigma_counts_as_one_parameter_as_in_pytorch()
    {
        // fashion_conv_sigma is fashion_conv (1,688,289 parameters) with sigma: learned; PyTorch's sum(p.numel()) of
        // the same model (tools/torch/spec_model.py) is 1,688,290: log_sigma [1] is a parameter too.
        var plan = SpecText.CheckFile(TestSpecs.Path("fashion_conv_sigma.vae.yaml")).Plan!;
        Assert.Equal(1_688_290, plan.TotalParameters);
        Assert.Contains(ShapeTable.Lines(plan), line => line.StartsWith("log_sigma", System.StringComparison.Ordinal) && line.EndsWith(" 1", System.StringComparison.Ordinal));
        Assert.Equal(1_688_289, SpecText.CheckFile(TestSpecs.Path("fashion_conv.vae.yaml")).Plan!.TotalParameters);
    }

    [Fact]
    public void Seed000_parameter_count_is_the_sum_of_pytorch_layer_sizes()
    {
        var plan = SpecText.CheckFile(TestSpecs.Path("seed000.vae.yaml")).Plan!;
        long expected =
            (32 * 3 * 3 * 3 + 32) + (64 * 32 * 3 * 3 + 64) + (256 * 64 + 256) // encoder
            + 2 * (128 * 256 + 128)                                             // fc_mu, fc_logvar
            + (256 * 128 + 256) + (75 * 256 + 75);                              // decoder
        Assert.Equal(expected, plan.TotalParameters);
        Assert.Equal(
            new[]
            {
                "encoder.0.weight [32, 3, 3, 3]", "encoder.0.bias [32]", "encoder.3.weight [64, 32, 3, 3]", "encoder.3.bias [64]",
                "encoder.6.weight [256, 64]", "encoder.6.bias [256]", "fc_mu.weight [128, 256]", "fc_mu.bias [128]",
                "fc_logvar.weight [128, 256]", "fc_logvar.bias [128]", "decoder.0.weight [256, 128]", "decoder.0.bias [256]",
                "decoder.2.weight [75, 256]", "decoder.2.bias [75]",
            },
            plan.AllTensors.Select(t => t.ToString()).ToArray());
    }

    [Fact]
    public void Seed002_and_fashion_specs_have_the_documented_shapes()
    {
        var rgb = SpecText.CheckFile(TestSpecs.Path("seed002_rgb64.vae.yaml")).Plan!;
        Assert.Equal(new[] { "[32, 32, 32]", "[64, 16, 16]", "[128, 8, 8]", "[256, 4, 4]" },
            rgb.Encoder.Where(l => l.Layer is Model.Conv2dSpec).Select(l => l.Output.ToString()).ToArray());
        Assert.Equal(4096, rgb.EncodedFeatures);
        Assert.Equal("[3, 64, 64]", rgb.Decoder[rgb.Decoder.Count - 1].Output.ToString());

        var conv = SpecText.CheckFile(TestSpecs.Path("fashion_conv.vae.yaml")).Plan!;
        Assert.Equal(3136, conv.Encoder.Single(l => l.Layer is Model.FlattenSpec).Output.Dimensions[0]);
        Assert.Equal("[1, 28, 28]", conv.Decoder[conv.Decoder.Count - 1].Output.ToString());

        var mlp = SpecText.CheckFile(TestSpecs.Path("fashion_mlp.vae.yaml")).Plan!;
        Assert.Equal(784, mlp.Encoder[0].Output.Dimensions[0]);
        Assert.Equal(Model.ReconstructionKind.BceLogits, mlp.Spec.Reconstruction);
        Assert.Equal(255, mlp.Spec.Input.Scale);
    }

    [Fact]
    public void Seed000_as_written_has_exactly_its_two_shape_bugs()
    {
        var result = SpecText.CheckFile(SpecText.CasePath("seed000_as_written.vae.yaml"));
        Assert.True(result.Diagnostics.Count == 2, SpecText.Describe(result));
        var conv = result.Diagnostics[0];
        var pool = result.Diagnostics[1];

        Assert.Equal("VAE2001", conv.Id);
        Assert.Equal("encoder[2].conv2d.kernel", conv.YamlPath);
        Assert.Equal(17, conv.Span.StartLine + 1);
        Assert.Contains("Calculated padded input size per channel: (1 x 1). Kernel size: (3 x 3). Kernel size can't be greater than actual input size", conv.Message);
        Assert.Contains("use padding: 1", conv.Message);

        Assert.Equal("VAE2002", pool.Id);
        Assert.Equal("encoder[3].maxpool2d.kernel", pool.YamlPath);
        Assert.Equal(18, pool.Span.StartLine + 1);
        Assert.Contains("Given input size: (64x1x1). Calculated output size: (64x0x0). Output size is too small", pool.Message);
        Assert.Null(result.Plan);
    }
}
