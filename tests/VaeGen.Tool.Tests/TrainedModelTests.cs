using System;
using System.IO;
using System.Text.Json;
using VaeGen.Data;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>fashion_mlp trained briefly on the committed subset, once for all the tests that need weights.</summary>
public sealed class TrainedMlp : IDisposable
{
    private readonly TempFolder _folder = new();

    public TrainedMlp()
    {
        Run = _folder.File("run");
        Result = ToolProcess.Run("train", Spec, "--data", ToolProcess.FashionMnist, "--limit-train", "256", "--limit-test", "50", "--batch", "64", "--epochs", "2",
            "--seed", "3", "--out", Run);
        if (Result.ExitCode != 0)
        {
            throw new InvalidOperationException("Training the fixture failed: " + Result);
        }
    }

    public static string Spec => ToolProcess.Spec("fashion_mlp.vae.yaml");

    public string Run { get; }

    public string Weights => Path.Combine(Run, "model.safetensors");

    internal ProcessResult Result { get; }

    public void Dispose() => _folder.Dispose();
}

public sealed class TrainedModelTests(TrainedMlp trained) : IClassFixture<TrainedMlp>
{
    [Fact]
    public void EvalReportsTrainsNumberAndATighterIwaeBound()
    {
        ProcessResult result = ToolProcess.Run("eval", TrainedMlp.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist,
            "--limit-test", "50", "--k", "64", "--seed", "3", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        double negElbo = root.GetProperty("neg_elbo").GetDouble();
        double iwae = root.GetProperty("iwae_nll").GetDouble();
        Assert.Equal(50, root.GetProperty("images").GetInt32());
        Assert.Equal(64, root.GetProperty("k").GetInt32());
        Assert.Equal("bernoulli", root.GetProperty("likelihood").GetString());
        Assert.Equal(negElbo, root.GetProperty("reconstruction").GetDouble() + root.GetProperty("kl").GetDouble(), 9);

        // Same weights, same seed, same test images: exactly the number training reported after its last epoch.
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Run, "metrics.json")));
        Assert.Equal(metrics.RootElement.GetProperty("epochs")[1].GetProperty("test_neg_elbo").GetDouble(), negElbo);

        // With a Bernoulli likelihood the negative ELBO is a bound IWAE tightens (on average over z; here by far more than the noise).
        Assert.True(double.IsFinite(iwae) && iwae < negElbo && iwae > 0.8 * negElbo, "iwae " + iwae + ", -elbo " + negElbo);

        ProcessResult text = ToolProcess.Run("eval", TrainedMlp.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist, "--limit-test", "20", "--k", "8");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(string.Empty, text.Error);
        Assert.Matches(@"test negative ELBO\s+[0-9.]+\s+= reconstruction [0-9.]+ \+ KL [0-9.]+", text.Out);
        Assert.Matches(@"IWAE NLL, k = 8\s+[0-9.]+\s+nats per image, bernoulli p\(x\|z\)", text.Out);
    }

    [Fact]
    public void ALongEvalWithoutATerminalSaysHowFarItIsOnStderr()
    {
        // stdout is redirected here, so no progress bar: 200 images at k = 4,000 take well over the
        // 5 s of silence, then a line at most every 5 s; a quick eval (the test above) prints none.
        ProcessResult result = ToolProcess.Run("eval", TrainedMlp.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist,
            "--limit-test", "200", "--k", "4000", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        double seconds = json.RootElement.GetProperty("iwae_seconds").GetDouble();
        if (seconds > 6)
        {
            Assert.Matches(@"^(vaegen: IWAE, k = 4000: [0-9,]+ of 200 images \([0-9]+%\) in [0-9]+ s, about [0-9]+ s left\n)+$", result.Error);
        }
        else
        {
            // A machine fast enough to finish in the silent first seconds prints nothing (about 10 s on the 2-core VM).
            Assert.Equal(string.Empty, result.Error);
        }
    }

    [Fact]
    public void SampleWritesAGridOfTheRequestedSize()
    {
        using var temp = new TempFolder();
        string grid = temp.File("nested/grid.png");
        ProcessResult result = ToolProcess.Run("sample", TrainedMlp.Spec, "--weights", trained.Weights, "-n", "10", "--out", grid);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(grid + ": 10 samples of FashionMlpVae from " + trained.Weights + "\n", result.Out);
        ByteImage image = Png.Read(grid);
        Assert.Equal(3 * ((4 * 30) + 2), image.Width);
        Assert.Equal(3 * ((3 * 30) + 2), image.Height);
        Assert.Equal(1, image.Channels);
        Assert.Contains(image.Pixels, p => p > 100);
    }

    [Fact]
    public void InterpolateWritesOneStripBetweenTwoTestImages()
    {
        using var temp = new TempFolder();
        string strip = temp.File("strip.png");
        ProcessResult result = ToolProcess.Run("interpolate", TrainedMlp.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist, "--out", strip, "--steps", "6");

        Assert.True(result.ExitCode == 0, result.ToString());
        ByteImage image = Png.Read(strip);
        Assert.Equal(3 * ((8 * 30) + 2), image.Width);
        Assert.Equal(3 * (30 + 2), image.Height);

        ProcessResult outOfRange = ToolProcess.Run("interpolate", TrainedMlp.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist, "--out", strip, "--to", "5000");
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("--to: image 5000 does not exist; the test split of IDX files in " + ToolProcess.FashionMnist + " (1,000 test images) has images 0..999", outOfRange.Error);
    }

    [Fact]
    public void ExplainUsesTrainedWeights()
    {
        ProcessResult result = ToolProcess.Run("explain", TrainedMlp.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Weights: " + trained.Weights + ".", result.Out);
    }

    [Fact]
    public void MissingTruncatedOrForeignWeightsFailWithoutTouchingTheOutput()
    {
        using var temp = new TempFolder();
        string output = temp.File("grid.png");
        File.WriteAllText(output, "previous grid");

        ProcessResult missing = Sample(temp.File("none.safetensors"), output);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("vaegen: error: " + temp.File("none.safetensors") + ": weights file not found\n", missing.Error);

        string truncated = temp.File("truncated.safetensors");
        byte[] bytes = File.ReadAllBytes(trained.Weights);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        ProcessResult cut = Sample(truncated, output);
        Assert.Equal(2, cut.ExitCode);
        Assert.StartsWith("vaegen: error: " + truncated + ": ", cut.Error);
        Assert.Single(cut.Error.Trim().Split('\n'));

        string garbage = temp.File("garbage.safetensors");
        File.WriteAllText(garbage, "this is not a safetensors file at all");
        ProcessResult corrupt = Sample(garbage, output);
        Assert.Equal(2, corrupt.ExitCode);
        Assert.StartsWith("vaegen: error: " + garbage + ": ", corrupt.Error);

        // Weights of another spec: a conv model's file offered to the MLP.
        string conv = temp.File("conv");
        Assert.Equal(0, ToolProcess.Run("train", ToolProcess.Spec("fashion_conv.vae.yaml"), "--data", ToolProcess.FashionMnist, "--limit-train", "16", "--limit-test", "8",
            "--batch", "16", "--epochs", "1", "--out", conv).ExitCode);
        string foreign = Path.Combine(conv, "model.safetensors");
        ProcessResult other = Sample(foreign, output);
        Assert.Equal(2, other.ExitCode);
        Assert.StartsWith("vaegen: error: " + foreign + ": does not match FashionMlpVae of " + TrainedMlp.Spec + " (it was saved by FashionConvVae): " +
                          "missing 'encoder.1.weight' [400, 784], missing 'encoder.1.bias' [400], 'fc_mu.weight' is F32 [16, 256], expected F32 [20, 400] and ", other.Error);
        Assert.Single(other.Error.Trim().Split('\n'));
        Assert.Contains("; nothing was loaded\n", other.Error);

        Assert.Equal("previous grid", File.ReadAllText(output));
    }

    private ProcessResult Sample(string weights, string output) => ToolProcess.Run("sample", TrainedMlp.Spec, "--weights", weights, "--out", output);
}
