using System.Text.Json;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

public sealed class BenchTests
{
    [Fact]
    public void BenchReportsTrainingAndInferenceThroughput()
    {
        ProcessResult json = ToolProcess.Run("bench", ToolProcess.Spec("seed000.vae.yaml"), "--batch", "32", "--seconds", "0.2", "--json");

        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Out);
        JsonElement root = document.RootElement;
        Assert.Equal("SeedVae", root.GetProperty("model").GetString());
        Assert.Equal(32, root.GetProperty("batch").GetInt32());
        Assert.True(root.GetProperty("train_samples_per_second").GetDouble() > 0);
        Assert.True(root.GetProperty("inference_samples_per_second").GetDouble() > 0);
        Assert.Equal(3, root.GetProperty("windows").GetInt32());
        Assert.True(root.GetProperty("train_seconds").GetDouble() >= 0.2 / 3, "the best window is at least a third of --seconds");

        // seed000's arithmetic (ModelCostTests counts it by hand): the rates are samples/s times FLOPs per sample.
        Assert.Equal(945_024, root.GetProperty("train_flops_per_sample").GetInt64());
        Assert.Equal(320_192, root.GetProperty("inference_flops_per_sample").GetInt64());
        Assert.Equal(
            root.GetProperty("train_samples_per_second").GetDouble() * 945_024,
            root.GetProperty("train_flops_per_second").GetDouble(),
            precision: 0);

        // The model's buffers live on the managed heap, and a steady step allocates none of it.
        Assert.InRange(root.GetProperty("training_bytes").GetInt64(), 1_000_000, 100_000_000);
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_step").GetInt64());

        ProcessResult text = ToolProcess.Run("bench", ToolProcess.Spec("seed000.vae.yaml"), "--seconds", "0.1");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"training\s+[0-9,]+ samples/s", text.Out);
        Assert.Matches(@"inference\s+[0-9,]+ samples/s", text.Out);
        Assert.Matches(@"arithmetic\s+[0-9.]+ GFLOP/s training \(0\.95 MFLOP/sample\)", text.Out);
    }
}
