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

        ProcessResult text = ToolProcess.Run("bench", ToolProcess.Spec("seed000.vae.yaml"), "--seconds", "0.1");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"training\s+[0-9,]+ samples/s", text.Out);
        Assert.Matches(@"inference\s+[0-9,]+ samples/s", text.Out);
    }
}
