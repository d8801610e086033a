using System;
using System.IO;
using System.Text.Json.Nodes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>One small trained run, made once, that the tests below copy and damage.</summary>
public sealed class TrainedRunFixture : IDisposable
{
    private readonly TempFolder _temp = new();

    public TrainedRunFixture()
    {
        Run = _temp.File("run");
        ProcessResult result = ToolProcess.Run(CorruptStateTests.Small(Run, 1));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }

    public string Run { get; }

    /// <summary>A copy of the run that a test may change.</summary>
    internal string Copy(TempFolder into, string name = "run")
    {
        string copy = into.File(name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(Run))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>Checkpoints and weights that parse but hold what no run writes are refused with the field's name, exit 2.</summary>
public sealed class CorruptStateTests(TrainedRunFixture fixture) : IClassFixture<TrainedRunFixture>
{
    private static readonly string Mlp = ToolProcess.Spec("fashion_mlp.vae.yaml");

    internal static string[] Small(string outDir, int epochs, params string[] more) =>
    [
        "train", Mlp, "--data", ToolProcess.FashionMnist, "--limit-train", "192", "--limit-test", "64",
        "--batch", "64", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir, .. more,
    ];

    [Theory]
    [InlineData("batch", "0", "'settings.batch' is 0, not a positive number of images")]
    [InlineData("learning_rate", "-1", "'settings.learning_rate' is -1, not a positive number")]
    [InlineData("limit_train", "0", "'settings.limit_train' is not a positive number of images")]
    [InlineData(null, "settings", "'settings' is missing")]
    [InlineData(null, "epoch-5", "'epoch' is -5, but a checkpoint is written after epoch 1 at the earliest")]
    [InlineData(null, "epoch3", "'history' has 1 epochs, but 'epoch' is 3")]
    [InlineData(null, "model", "'model' is missing")]
    public void AnImpossibleRunStateIsRefusedByName(string? setting, string value, string message)
    {
        using var temp = new TempFolder();
        string run = fixture.Copy(temp);
        string checkpoint = Path.Combine(run, "training.safetensors");
        SafeTensorsBytes.EditRunState(checkpoint, state =>
        {
            if (setting is not null)
            {
                state["settings"]![setting] = JsonNode.Parse(value);
            }
            else if (value == "settings")
            {
                state["settings"] = null;
            }
            else if (value == "model")
            {
                state.Remove("model");
            }
            else
            {
                state["epoch"] = int.Parse(value["epoch".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        byte[] before = File.ReadAllBytes(checkpoint);

        ProcessResult result = ToolProcess.Run("train", Mlp, "--resume", "--epochs", "2", "--out", run);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("vaegen: error: " + checkpoint + ": the training state in the metadata is invalid: " + message + "; nothing was changed\n", result.Error);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void ANegativeAdamStateIsRefused()
    {
        using var temp = new TempFolder();
        string run = fixture.Copy(temp);
        string checkpoint = Path.Combine(run, "training.safetensors");
        SafeTensorsBytes.SetFloat(checkpoint, "optimizer.fc_mu.bias.exp_avg_sq", 0, -1f);

        ProcessResult result = ToolProcess.Run("train", Mlp, "--resume", "--epochs", "2", "--out", run);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("vaegen: error: " + checkpoint + ": 'optimizer.fc_mu.bias.exp_avg_sq' holds a negative value, which Adam never saves; the checkpoint is corrupt\n", result.Error);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+inf")]
    public void WeightsWithNonFiniteValuesAreRefusedNamingTheTensor(float value, string shown)
    {
        using var temp = new TempFolder();
        string run = fixture.Copy(temp);
        string weights = Path.Combine(run, "model.safetensors");
        SafeTensorsBytes.SetFloat(weights, "fc_mu.weight", 7, value);

        ProcessResult eval = ToolProcess.Run("eval", Mlp, "--weights", weights, "--data", ToolProcess.FashionMnist, "--limit-test", "8", "--k", "2");
        Assert.True(eval.ExitCode == 2, eval.ToString());
        Assert.Equal("vaegen: error: " + weights + ": tensor 'fc_mu.weight' [20, 400] holds " + shown +
                     " at element 7 (weights must be finite numbers; was it saved after training diverged?); nothing was loaded\n", eval.Error);
        Assert.Equal(string.Empty, eval.Out);

        // The checkpoint's copy of the model is held to the same rule.
        string checkpoint = Path.Combine(run, "training.safetensors");
        SafeTensorsBytes.SetFloat(checkpoint, "model.fc_mu.weight", 7, value);
        ProcessResult resume = ToolProcess.Run("train", Mlp, "--resume", "--epochs", "2", "--out", run);
        Assert.True(resume.ExitCode == 2, resume.ToString());
        Assert.StartsWith("vaegen: error: " + checkpoint + ": tensor 'model.fc_mu.weight' [20, 400] holds " + shown, resume.Error);
    }
}
