using System.IO;
using System.Linq;
using System.Text.Json;
using VaeGen.Data;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

public sealed class TrainTests
{
    // A few hundred images and small batches keep each run well under a second of training.
    private static string[] Small(string outDir, int epochs, params string[] more) =>
    [
        "train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--data", ToolProcess.FashionMnist, "--limit-train", "192", "--limit-test", "64",
        "--batch", "64", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir, .. more,
    ];

    [Fact]
    public void TrainWritesCheckpointsGridsMetricsAndThePlot()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        ProcessResult result = ToolProcess.Run(Small(run, 2));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("training FashionMlpVae (652,824 parameters) on IDX files in " + ToolProcess.FashionMnist + " (192 training, 64 test images)", result.Out);
        Assert.Matches(@"epoch 1/2  loss [0-9.]+  recon [0-9.]+  kl [0-9.]+  test -elbo [0-9.]+  [0-9,]+ samples/s", result.Out);
        Assert.Matches(@"epoch 2/2  loss", result.Out);
        foreach (string file in new[] { "model.safetensors", "training.safetensors", "metrics.json", "loss.png", "reconstructions-epoch-001.png", "samples-epoch-002.png" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        }

        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
        ByteImage samples = Png.Read(Path.Combine(run, "samples-epoch-002.png"));
        Assert.Equal(3 * ((8 * 30) + 2), samples.Width); // 28x28 images with 2 pixels between, enlarged 3 times
        ByteImage reconstructions = Png.Read(Path.Combine(run, "reconstructions-epoch-001.png"));
        Assert.Equal((3 * ((2 * 30) + 2), 180 + (3 * ((8 * 30) + 2))), (reconstructions.Height, reconstructions.Width));

        // A label column left of the grid says which row is which: dark text on white, in each row's half.
        foreach (int top in new[] { 0, reconstructions.Height / 2 })
        {
            int dark = 0;
            for (int y = top; y < top + (reconstructions.Height / 2); y++)
            {
                for (int x = 0; x < 170; x++)
                {
                    dark += reconstructions.Pixels[((y * reconstructions.Width) + x) * reconstructions.Channels] < 128 ? 1 : 0;
                }
            }

            Assert.True(dark > 50, "no label text in the rows from y = " + top);
        }
        ByteImage plot = Png.Read(Path.Combine(run, "loss.png"));
        Assert.Equal((1000, 560), (plot.Width, plot.Height));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        JsonElement epochs = metrics.RootElement.GetProperty("epochs");
        Assert.Equal(2, epochs.GetArrayLength());
        Assert.True(epochs[1].GetProperty("test_neg_elbo").GetDouble() < epochs[0].GetProperty("test_neg_elbo").GetDouble());

        // The weights file is a plain state dict with PyTorch's names, nothing else.
        var weights = VaeGen.Runtime.IO.SafeTensorsFile.Read(Path.Combine(run, "model.safetensors"));
        Assert.Equal(["decoder.0.bias", "decoder.0.weight", "decoder.2.bias", "decoder.2.weight", "encoder.1.bias", "encoder.1.weight",
                      "fc_logvar.bias", "fc_logvar.weight", "fc_mu.bias", "fc_mu.weight"], weights.Entries.Keys.Order());
    }

    [Fact]
    public void ResumeGivesExactlyTheLossesAndWeightsOfAnUninterruptedRun()
    {
        using var temp = new TempFolder();
        string straight = temp.File("straight"), resumed = temp.File("resumed");
        Assert.Equal(0, ToolProcess.Run(Small(straight, 2)).ExitCode);
        Assert.Equal(0, ToolProcess.Run(Small(resumed, 1)).ExitCode);

        // Everything comes back from the checkpoint: no need to repeat the data, batch or limits.
        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--resume", "--epochs", "2", "--out", resumed);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("resuming FashionMlpVae", result.Out);
        Assert.DoesNotContain("epoch 1/2", result.Out);

        JsonElement a = Epochs(straight)[1], b = Epochs(resumed)[1];
        foreach (string key in new[] { "train_loss", "train_reconstruction", "train_kl", "test_neg_elbo", "test_kl" })
        {
            Assert.Equal(a.GetProperty(key).GetDouble(), b.GetProperty(key).GetDouble());
        }

        Assert.Equal(a.GetProperty("curve").EnumerateArray().Select(e => e.GetDouble()), b.GetProperty("curve").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "model.safetensors")));
    }

    [Fact]
    public void ANonFiniteLossStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        Assert.Equal(0, ToolProcess.Run(Small(run, 1)).ExitCode);
        byte[] weights = File.ReadAllBytes(Path.Combine(run, "model.safetensors"));
        byte[] checkpoint = File.ReadAllBytes(Path.Combine(run, "training.safetensors"));

        // An absurd learning rate overflows the weights within a step or two.
        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--resume", "--epochs", "2", "--lr", "1e30", "--out", run);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("vaegen: --lr 1E+30 replaces the run's 0.001", result.Error);
        Assert.Matches(@"vaegen: error: .*fashion_mlp\.vae\.yaml: training stopped: the loss became (NaN|\+inf) at epoch 2, step [0-9] of 3 \(reconstruction .*, KL .*\); the last good checkpoint, epoch 1, is kept in " + System.Text.RegularExpressions.Regex.Escape(run) + "\n", result.Error);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(run, "training.safetensors")));
    }

    [Fact]
    public void AnExistingRunIsNotOverwrittenAndAMissingOneCannotBeResumed()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        ProcessResult resumeNothing = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--resume", "--out", run);
        Assert.Equal(2, resumeNothing.ExitCode);
        Assert.Equal("vaegen: error: " + Path.Combine(run, "training.safetensors") + ": no checkpoint to resume from (train without --resume first)\n", resumeNothing.Error);

        Assert.Equal(0, ToolProcess.Run(Small(run, 1)).ExitCode);
        byte[] weights = File.ReadAllBytes(Path.Combine(run, "model.safetensors"));
        ProcessResult again = ToolProcess.Run(Small(run, 1));
        Assert.Equal(2, again.ExitCode);
        Assert.Equal("vaegen: error: " + run + ": already holds a training run of FashionMlpVae (1 epoch); pass --resume to continue it, --overwrite to replace it, or choose another --out\n", again.Error);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(run, "model.safetensors")));

        ProcessResult otherSpec = ToolProcess.Run("train", ToolProcess.Spec("fashion_conv.vae.yaml"), "--resume", "--epochs", "2", "--out", run);
        Assert.Equal(2, otherSpec.ExitCode);
        Assert.Contains("the checkpoint is of FashionMlpVae, but " + ToolProcess.Spec("fashion_conv.vae.yaml") + " describes FashionConvVae", otherSpec.Error);
    }

    [Fact]
    public void ACorruptCheckpointIsReportedAndLeftAlone()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        Assert.Equal(0, ToolProcess.Run(Small(run, 1)).ExitCode);
        string checkpoint = Path.Combine(run, "training.safetensors");
        byte[] bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);

        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--resume", "--epochs", "2", "--out", run);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("vaegen: error: " + checkpoint + ": ", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Equal(bytes.Length / 2, new FileInfo(checkpoint).Length);
    }

    [Fact]
    public void AnOutputFolderThatCannotBeCreatedFailsBeforeTraining()
    {
        using var temp = new TempFolder();
        string blocker = temp.File("a-file");
        File.WriteAllText(blocker, "keep me");

        ProcessResult onFile = ToolProcess.Run(Small(blocker, 1));
        Assert.Equal(2, onFile.ExitCode);
        Assert.Equal("vaegen: error: " + blocker + ": is a file; the output must be a folder\n", onFile.Error);

        string below = Path.Combine(blocker, "run");
        ProcessResult underFile = ToolProcess.Run(Small(below, 1));
        Assert.Equal(2, underFile.ExitCode);
        Assert.StartsWith("vaegen: error: " + below + ": cannot create the output folder", underFile.Error);
        Assert.Equal("keep me", File.ReadAllText(blocker));
        Assert.Equal(string.Empty, underFile.Out);
    }

    [Fact]
    public void WeightsWithoutATrainingStateAreNotOverwrittenUnlessAsked()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        Directory.CreateDirectory(run);
        string weights = Path.Combine(run, "model.safetensors");
        File.WriteAllText(weights, "the only copy of someone's weights");

        ProcessResult refused = ToolProcess.Run(Small(run, 1));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Equal("vaegen: error: " + weights + ": already exists (weights with no training state beside them to resume); " +
                     "pass --overwrite to replace them, or choose another --out\n", refused.Error);
        Assert.Equal("the only copy of someone's weights", File.ReadAllText(weights));

        ProcessResult replaced = ToolProcess.Run(Small(run, 1, "--overwrite"));
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.NotEqual("the only copy of someone's weights", File.ReadAllText(weights));
    }

    [Fact]
    public void OverwriteReplacesAWholeRun()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        Assert.Equal(0, ToolProcess.Run(Small(run, 2)).ExitCode);

        ProcessResult result = ToolProcess.Run(Small(run, 1, "--overwrite", "--seed", "5"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("training FashionMlpVae", result.Out);
        Assert.Single(Epochs(run).EnumerateArray());
        Assert.False(File.Exists(Path.Combine(run, "samples-epoch-002.png")), "the replaced run's second epoch is gone");
    }

    [Fact]
    public void ASmallDataSetGetsABatchThatLeavesStepsToLearnFrom()
    {
        using var temp = new TempFolder();
        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--data", ToolProcess.FashionMnist, "--limit-train", "320",
            "--limit-test", "16", "--epochs", "1", "--out", temp.File("run"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("vaegen: batch 20: the default 128 would give 3 steps an epoch on 320 training images (--batch sets it)", result.Error);
        Assert.Contains("batch 20, Adam lr 0.001", result.Out);
    }

    [Fact]
    public void ASmallDataSetTrainsForAThousandStepsUnlessTheEpochsAreGiven()
    {
        // 320 images: batch 20, 16 steps an epoch, so 63 epochs instead of 10. The shipped photo
        // patches get 59 the same way, the first default that shows the RGB spec learning.
        using var temp = new TempFolder();
        string run = temp.File("run");
        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--data", ToolProcess.FashionMnist, "--limit-train", "320",
            "--limit-test", "16", "--out", run);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("vaegen: epochs 63: on 320 training images an epoch is 16 steps, and a small data set trains for at least 1,000 steps (--epochs sets it)", result.Error);
        Assert.Contains("epochs 1..63", result.Out);
        Assert.Equal(63, Epochs(run).GetArrayLength());

        // A resume sees the same data and batch, so the same default: nothing is left to do.
        ProcessResult resumed = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--resume", "--out", run);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("already trained for 63 epochs", resumed.Out);
    }

    private static JsonElement Epochs(string run) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("epochs").Clone();
}
