using System.IO;
using VaeGen.Data;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

public sealed class ExplainTests
{
    [Fact]
    public void SeedSpecWalksThroughTheSeedImageStepByStep()
    {
        ProcessResult result = ToolProcess.Run("explain", ToolProcess.Spec("seed000.vae.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        string text = result.Out;

        // The seed document's own 5x5x3 image, channels first, and the steps in its order.
        Assert.Contains("Input: the fixed 5×5 RGB example image of seed000.vae.yaml.", text);
        Assert.Contains("    [[100, 150, 200, 255, 50],", text);
        Assert.Contains("     [15, 25, 35, 45, 55]],", text);
        Assert.Contains("     [90, 115, 140, 165, 190]]", text);
        string[] steps =
        [
            "# Encoder", "#### Input", "#### Scaling", "#### Conv layer 1", "#### Pooling layer 1", "#### Conv layer 2", "#### Flatten",
            "#### Fully connected layer 1", "#### Fully connected layer (mean branch, fc_mu)", "#### Fully connected layer (variance branch, fc_logvar)",
            "#### Reparameterization", "# Decoder", "#### Fully connected layer 1", "#### Fully connected layer 2", "#### Reshape", "#### sigmoid activation",
            "#### Reconstruction loss", "#### KL divergence", "#### Total loss",
        ];
        int at = 0;
        foreach (string step in steps)
        {
            int found = text.IndexOf(step + "\n", at, System.StringComparison.Ordinal);
            Assert.True(found >= at, "missing or out of order: " + step);
            at = found + step.Length;
        }

        Assert.Contains("Input shape: [3, 5, 5]  Output shape: [32, 3, 3]", text);
        Assert.Contains("Input shape: [32, 3, 3]  Output shape: [32, 1, 1]", text);
        Assert.Contains("Input shape: [75]  Output shape: [3, 5, 5]", text);
        Assert.Matches(@"σ = tensor\(\[[-0-9.e]+, [-0-9.e]+, [-0-9.e]+, [-0-9.e]+, \.\.\., [-0-9.e]+\]\)", text);
        Assert.Matches(@"ε = tensor\(\[", text);
        Assert.Matches(@"output: z = tensor\(\[", text);
        Assert.Matches(@"output: L_recon = [0-9.]+\n", text);
        Assert.Matches(@"output: L_KL = [0-9.e-]+\n", text);
        Assert.Matches(@"output: L = [0-9.]+\n", text);
    }

    [Fact]
    public void ResidualBlocksShowTheirBodyThenTheSumAsItsOwnStep()
    {
        ProcessResult result = ToolProcess.Run("explain", ToolProcess.Spec("fashion_resnet.vae.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        string text = result.Out;
        string[] steps =
        [
            "#### Conv layer 2", "Residual block encoder.4: its body encoder.4.body runs on the input, then the input is added back.",
            "#### Conv layer 3", "#### Conv layer 4", "#### Conv layer 5", "#### Residual sum 1", "#### ReLU activation", "#### Flatten",
            "# Decoder", "#### Reshape", "Residual block decoder.5:", "#### Residual sum 1", "#### Transposed conv layer 1",
        ];
        int at = 0;
        foreach (string step in steps)
        {
            int found = text.IndexOf(step, at, System.StringComparison.Ordinal);
            Assert.True(found >= at, "missing or out of order: " + step);
            at = found + step.Length;
        }

        Assert.Contains("(encoder.4.body.2, encoder.4.body.3)  Input shape: [16, 7, 7]  Output shape: [16, 7, 7]", text);
        Assert.Contains("Operation: x + body(x), x the block's input  (encoder.4)  Input shape: [64, 7, 7]  Output shape: [64, 7, 7]", text);
    }

    [Fact]
    public void UnevenSamePaddingShowsItsZeroPadStep()
    {
        ProcessResult result = ToolProcess.Run("explain", ToolProcess.Spec("keras_mnist.vae.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("#### Zero padding 1\nOperation: zeros added around each map: 0 left, 1 right, 0 top, 1 bottom (the uneven part of padding: same)  (encoder.0)  Input shape: [1, 28, 28]  Output shape: [1, 29, 29]", result.Out);
        Assert.Contains("(encoder.1, encoder.2)  Input shape: [1, 29, 29]  Output shape: [32, 14, 14]", result.Out);
    }

    [Fact]
    public void AConditionalSpecShowsTheLabelConcatenationsAndTheTableShowsThem()
    {
        // fashion_mlp with condition: { classes: 10 } (spec 1.1): the heads read 400 + 10 values, the decoder 20 + 10.
        using var temp = new TempFolder();
        string spec = temp.File("cvae.vae.yaml");
        File.WriteAllText(spec, File.ReadAllText(ToolProcess.Spec("fashion_mlp.vae.yaml")).Replace("latent: 20\n", "latent: 20\ncondition: { classes: 10 }\n"));

        ProcessResult explain = ToolProcess.Run("explain", spec, "--data", ToolProcess.FashionMnist, "--class", "7");
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains("Label: y = 7 of 10 classes (--class;", explain.Out);
        Assert.Contains("Operation: concat(h, one_hot(y = 7, 10)): the encoder's output followed by 10 values, 1 at the label and 0 elsewhere  Input shape: [400]  Output shape: [410]", explain.Out);
        Assert.Contains("Operation: concat(z, one_hot(y = 7, 10)): z followed by 10 values, 1 at the label and 0 elsewhere  Input shape: [20]  Output shape: [30]", explain.Out);
        Assert.Contains("Operation: 20 neurons giving μ, μ = W·x + b, no activation  Input shape: [410]  Output shape: [20]", explain.Out);
        Assert.Matches(@"output: L = [0-9.]+\n", explain.Out);

        // Without --class the image walks through with its own label: Fashion-MNIST's test image 0 is an ankle boot, class 9.
        ProcessResult own = ToolProcess.Run("explain", spec, "--data", ToolProcess.FashionMnist);
        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Contains("Label: y = 9 of 10 classes (the image's label in the data;", own.Out);
        Assert.Contains("Operation: concat(h, one_hot(y = 9, 10))", own.Out);

        // The same errors, in the same words, as sample's (ConditionalTests).
        ProcessResult outside = ToolProcess.Run("explain", spec, "--data", ToolProcess.FashionMnist, "--class", "10");
        Assert.Equal(2, outside.ExitCode);
        Assert.Equal("vaegen: error: --class: class 10 does not exist; FashionMlpVae has classes 0..9\n", outside.Error);
        ProcessResult negative = ToolProcess.Run("explain", spec, "--data", ToolProcess.FashionMnist, "--class", "-1");
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--class must be at least 0, not -1", negative.Error);
        string mlp = ToolProcess.Spec("fashion_mlp.vae.yaml");
        ProcessResult unconditional = ToolProcess.Run("explain", mlp, "--data", ToolProcess.FashionMnist, "--class", "3");
        Assert.Equal(2, unconditional.ExitCode);
        Assert.Equal("vaegen: error: --class: FashionMlpVae (" + mlp + ") is not conditional (its spec has no condition: { classes: K }); explain it without --class\n",
            unconditional.Error);

        ProcessResult check = ToolProcess.Run("check", spec);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("conditional on 10 classes", check.Out);
        Assert.Matches(@"concat\s+│ concat\(h, one_hot\(y, 10\)\)\s+│ \[410\]", check.Out);
        Assert.Matches(@"concat\s+│ concat\(z, one_hot\(y, 10\)\)\s+│ \[30\]", check.Out);
        Assert.Contains("fc_mu     │ linear 410->20 (mu)", check.Out);
    }

    [Fact]
    public void SameSeedGivesTheSameWalkthroughAndAnotherSeedAnother()
    {
        string spec = ToolProcess.Spec("seed000.vae.yaml");
        ProcessResult a = ToolProcess.Run("explain", spec, "--seed", "7");
        ProcessResult b = ToolProcess.Run("explain", spec, "--seed", "7");
        ProcessResult c = ToolProcess.Run("explain", spec, "--seed", "8");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(a.Out, b.Out);
        Assert.NotEqual(a.Out, c.Out);
    }

    [Fact]
    public void OtherSpecsUseATestImageOrTheGivenPng()
    {
        ProcessResult mlp = ToolProcess.Run("explain", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--data", ToolProcess.FashionMnist);
        Assert.True(mlp.ExitCode == 0, mlp.ToString());
        Assert.Contains("Input: test image 0 of IDX files in " + ToolProcess.FashionMnist, mlp.Out);
        Assert.Contains("#### Flatten", mlp.Out);
        Assert.Contains("l (logits) = tensor([", mlp.Out);
        Assert.Contains("x̂ = sigmoid(l) = tensor([", mlp.Out);

        using var temp = new TempFolder();
        string png = temp.File("patch.png");
        var image = new ByteImage(64, 64, 3);
        image.Pixels[0] = 200;
        Png.Write(png, image);
        ProcessResult rgb = ToolProcess.Run("explain", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--input", png);
        Assert.True(rgb.ExitCode == 0, rgb.ToString());
        Assert.Contains("Input: " + png, rgb.Out);
        Assert.Contains("#### Transposed conv layer 4", rgb.Out);
    }

    [Fact]
    public void AWrongSizeOrDepthPngIsRejectedByName()
    {
        using var temp = new TempFolder();
        string small = temp.File("small.png");
        Png.Write(small, new ByteImage(32, 32, 3));
        ProcessResult size = ToolProcess.Run("explain", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--input", small);
        Assert.Equal(2, size.ExitCode);
        Assert.Equal("vaegen: error: " + small + ": image is 32x32 RGB but the spec's input is 64x64 RGB; resize or crop the images to 64x64\n", size.Error);

        string gray = temp.File("gray.png");
        Png.Write(gray, new ByteImage(64, 64, 1));
        ProcessResult depth = ToolProcess.Run("explain", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--input", gray);
        Assert.Equal(2, depth.ExitCode);
        Assert.Contains(gray + ": image is 64x64 grayscale but the spec's input has 3 channels (RGB)", depth.Error);

        string notPng = temp.File("not.png");
        File.WriteAllText(notPng, "hello");
        ProcessResult corrupt = ToolProcess.Run("explain", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--input", notPng);
        Assert.Equal(2, corrupt.ExitCode);
        Assert.Equal("vaegen: error: " + notPng + ": not a PNG file: the 8-byte PNG signature is missing\n", corrupt.Error);
    }
}
