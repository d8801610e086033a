extern alias managed;

using System;
using System.IO;
using System.Linq;
using TorchSharp;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.TorchSharpTests;

/// <summary>README's TorchSharp training loop is ReadmeTrainingLoop.cs, word for word, and it trains.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void README_shows_the_training_loop_this_project_compiles()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).Replace("\r\n", "\n");
        string loop = File.ReadAllText(Path.Combine(Repository.Root, "tests", "VaeGen.TorchSharp.Tests", "ReadmeTrainingLoop.cs")).Replace("\r\n", "\n");
        Assert.True(readme.Contains("```csharp\n" + loop + "```\n", StringComparison.Ordinal),
            "README.md's TorchSharp section must show tests/VaeGen.TorchSharp.Tests/ReadmeTrainingLoop.cs exactly, in a ```csharp block");
    }

    [Fact]
    public void The_README_training_loop_lowers_the_loss_and_saves_weights_the_managed_model_loads()
    {
        // 512 images (N, 28, 28, 1) of bytes as floats: a bright square of random size and place on a dark background.
        torch.manual_seed(1);
        using var images = torch.zeros(512, 28, 28, 1);
        var corners = torch.randint(2, 14, new long[] { 512, 2 }).data<long>().ToArray();
        for (int i = 0; i < 512; i++)
        {
            long top = corners[2 * i], left = corners[(2 * i) + 1];
            images[i, torch.TensorIndex.Slice(top, top + 12), torch.TensorIndex.Slice(left, left + 12)] = torch.tensor(255f);
        }

        string weights = Path.Combine(Path.GetTempPath(), "vaegen-readme-" + Guid.NewGuid() + ".safetensors");
        try
        {
            var losses = TorchSharpTraining.Train(images, epochs: 3, weights);
            Assert.Equal(3, losses.Count);
            Assert.True(losses[2] < losses[0], "the loss did not fall over 3 epochs: " + string.Join(", ", losses));
            new managed::VaeGen.Specs.FashionConvVae().LoadWeights(weights);
        }
        finally
        {
            File.Delete(weights);
        }
    }
}
