using System.IO;
using System.Linq;
using System.Text.Json;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

public sealed class CheckTests
{
    private static readonly string[] Shipped = ["seed000.vae.yaml", "fashion_mlp.vae.yaml", "fashion_conv.vae.yaml", "seed002_rgb64.vae.yaml"];

    [Fact]
    public void ShippedSpecsPassWithATablePerSpec()
    {
        ProcessResult result = ToolProcess.Run(["check", .. Shipped.Select(ToolProcess.Spec)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("4 specs checked: 4 ok (0 errors, 0 warnings)", result.Out);
        Assert.Contains("VaeGen.Specs.FashionMlpVae, input [28, 28, 1] nhwc in [0, 255] / 255, latent 20, bce_logits (sum), beta 1", result.Out);

        // The seed walkthrough's shapes, channels first, and the parameter totals.
        Assert.Matches(@"encoder\.0\s+│ conv2d 3->32, kernel 3, stride 1, padding 0\s+│ \[32, 3, 3\]\s+│\s+896 │", result.Out);
        Assert.Matches(@"z\s+│ mu \+ exp\(0\.5 \* logvar\) \* eps\s+│ \[128\]", result.Out);
        Assert.Matches(@"total\s+│\s+│\s+│\s+154,123 │", result.Out);
        Assert.Contains("652,824 trainable parameters", result.Out);
        Assert.Contains("1,688,289 trainable parameters", result.Out);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void AFolderStandsForTheSpecsInIt()
    {
        ProcessResult result = ToolProcess.Run("check", "specs", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(
            ["specs/fashion_conv.vae.yaml", "specs/fashion_conv_sigma.vae.yaml", "specs/fashion_cvae.vae.yaml", "specs/fashion_mlp.vae.yaml", "specs/fashion_resnet.vae.yaml", "specs/keras_mnist.vae.yaml", "specs/seed000.vae.yaml", "specs/seed002_rgb64.vae.yaml",
             "specs/vanilla_vae64.vae.yaml"],
            json.RootElement.GetProperty("specs").EnumerateArray().Select(s => s.GetProperty("file").GetString()));
    }

    [Fact]
    public void HelpNamesTheVerbsAndTheExitCodes()
    {
        ProcessResult result = ToolProcess.Run("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string verb in new[] { "check", "explain", "train", "sample", "interpolate", "eval", "bench", "export" })
        {
            Assert.Contains("  " + verb + " <spec>", result.Out);
        }

        Assert.Contains("Exit codes: 0 success; 1 a spec has errors; 2 bad usage", result.Out);
    }

    [Fact]
    public void JsonListsLayersAndTotals()
    {
        ProcessResult result = ToolProcess.Run("check", ToolProcess.Spec("fashion_mlp.vae.yaml"), ToolProcess.Spec("seed000.vae.yaml"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        JsonElement specs = json.RootElement.GetProperty("specs");
        Assert.Equal(2, specs.GetArrayLength());
        JsonElement mlp = specs[0];
        Assert.True(mlp.GetProperty("valid").GetBoolean());
        Assert.Equal("FashionMlpVae", mlp.GetProperty("class").GetString());
        Assert.Equal(652824, mlp.GetProperty("total_parameters").GetInt64());
        JsonElement first = mlp.GetProperty("layers")[1];
        Assert.Equal("encoder.1", first.GetProperty("name").GetString());
        Assert.Equal([400L], first.GetProperty("output").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(314000, first.GetProperty("parameters").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("errors").GetInt32());
    }

    [Fact]
    public void ShapeErrorShowsTheTableUpToTheFailingLayerThenTheError()
    {
        using var temp = new TempFolder();
        string spec = temp.File("seed_original.vae.yaml");

        // seed000 as first sketched: the second conv has no padding and a second max-pool follows.
        File.WriteAllText(spec, File.ReadAllText(ToolProcess.Spec("seed000.vae.yaml")).Replace(
            "  - conv2d: { out: 64, kernel: 3, padding: 1, activation: relu }",
            "  - conv2d: { out: 64, kernel: 3, padding: 0, activation: relu }\n  - maxpool2d: { kernel: 2, stride: 2 }"));

        ProcessResult result = ToolProcess.Run("check", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        string[] lines = result.Out.Split('\n');
        int failing = System.Array.FindIndex(lines, l => l.Contains("encoder.3") && l.Contains("error"));
        int error = System.Array.FindIndex(lines, l => l.Contains("error VAE2001"));
        Assert.True(failing > 0 && error > failing, result.ToString());
        Assert.Contains(lines, l => l.Contains("encoder.2") && l.Contains("[32, 1, 1]"));
        Assert.DoesNotContain(lines, l => l.Contains("encoder.5"));
        Assert.StartsWith(spec + "(18,32): error VAE2001:", lines[error]);
        Assert.Contains("Kernel size can't be greater than actual input size", lines[error]);
        Assert.Contains("1 spec checked: 0 ok, 1 with errors (2 errors, 0 warnings)", result.Out);

        ProcessResult json = ToolProcess.Run("check", spec, "--json");
        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        JsonElement report = document.RootElement.GetProperty("specs")[0];
        Assert.False(report.GetProperty("valid").GetBoolean());
        Assert.Equal("encoder.3", report.GetProperty("failed_at").GetString());
        Assert.Equal("VAE2001", report.GetProperty("diagnostics")[0].GetProperty("id").GetString());
    }

    [Fact]
    public void UnreadableSpecAndBadUsageExitWithTwo()
    {
        ProcessResult missing = ToolProcess.Run("check", "specs/no_such.vae.yaml");
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("vaegen: error: specs/no_such.vae.yaml: spec file not found\n", missing.Error);

        ProcessResult noArgs = ToolProcess.Run("check");
        Assert.Equal(2, noArgs.ExitCode);
        Assert.StartsWith("vaegen: error: ", noArgs.Error);

        ProcessResult badOption = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--epochs", "0");
        Assert.Equal(2, badOption.ExitCode);
        Assert.Equal("vaegen: error: --epochs must be at least 1, not 0 (see 'vaegen train --help')\n", badOption.Error);
    }

    [Fact]
    public void BrokenSpecStopsOtherVerbsWithExitOne()
    {
        using var temp = new TempFolder();
        string spec = temp.File("broken.vae.yaml");
        File.WriteAllText(spec, "name: Broken\ninput: { shape: [28, 28, 1], layout: nhwc }\nlatent: 4\nencoder: [flatten]\ndecoder:\n  - linear: { out: 700 }\n  - unflatten: [1, 28, 28]\n");

        ProcessResult result = ToolProcess.Run("bench", spec, "--seconds", "0.1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(spec + "(7,16): error VAE", result.Error);
        Assert.EndsWith("vaegen: error: " + spec + ": the spec has 1 error (above); 'vaegen check " + spec + "' shows them with the layer table\n", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void ALayerWhoseParameterCountOverflowsIsAnErrorNotACrash()
    {
        using var temp = new TempFolder();
        string spec = temp.File("huge.vae.yaml");
        File.WriteAllText(spec, "name: Huge\ninput: { shape: [28, 28, 1], layout: nhwc }\nlatent: 4\nencoder:\n  - conv2d: { out: 8, kernel: 3000000000 }\n  - flatten\n" +
                                "decoder:\n  - linear: { out: 784 }\n  - unflatten: [1, 28, 28]\n");

        ProcessResult text = ToolProcess.Run("check", spec);
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains(spec + "(5,5): error VAE2005: ", text.Out);
        Assert.Matches(@"encoder\.0 +│ conv2d 1->8, kernel 3000000000, stride 1, padding 0 │ error", text.Out);

        ProcessResult json = ToolProcess.Run("check", spec, "--json");
        Assert.True(json.ExitCode == 1, json.ToString());
        using var document = JsonDocument.Parse(json.Out);
        JsonElement layer = document.RootElement.GetProperty("specs")[0].GetProperty("layers")[0];
        Assert.Equal(JsonValueKind.Null, layer.GetProperty("parameters").ValueKind);
    }

    [Fact]
    public void JsonKeepsArrowsReadable()
    {
        ProcessResult result = ToolProcess.Run("check", ToolProcess.Spec("seed000.vae.yaml"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"op\": \"conv2d 3->32, kernel 3, stride 1, padding 0\"", result.Out);
        Assert.DoesNotContain("\\u003E", result.Out);
    }

    [Fact]
    public void EndlessAndBlockingSpecFilesAreRefusedWithinBounds()
    {
        ProcessResult zero = ToolProcess.Run("check", "/dev/zero");
        Assert.True(zero.ExitCode == 2, zero.ToString());
        Assert.Equal("vaegen: error: /dev/zero: spec file is larger than 1024 KiB; a spec is a short YAML file\n", zero.Error);

        using var temp = new TempFolder();
        string fifo = temp.File("pipe.vae.yaml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        ProcessResult blocked = ToolProcess.Run("check", fifo);
        Assert.True(blocked.ExitCode == 2, blocked.ToString());
        Assert.Equal("vaegen: error: " + fifo + ": spec file gave no end of data in 10 s (a FIFO or device no one writes to?)\n", blocked.Error);
    }
}
