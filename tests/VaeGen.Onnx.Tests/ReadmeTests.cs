using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime.Tensors;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Onnx.Tests;

/// <summary>Changes the working directory: runs alone.</summary>
[CollectionDefinition(nameof(WorkingDirectory), DisableParallelization = true)]
public sealed class WorkingDirectory;

/// <summary>README's Serving section: its C# block is ReadmeServing.cs's, and that code runs on a real export.</summary>
[Collection(nameof(WorkingDirectory))]
public sealed class ReadmeTests
{
    [Fact]
    public void README_shows_the_serving_snippet_this_project_compiles()
    {
        string readme = File.ReadAllText(Repository.Path("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        string snippet = ReadmeServing.Text(File.ReadAllText(Repository.Path("tests", "VaeGen.Onnx.Tests", "ReadmeServing.cs")));
        Assert.Equal(5, snippet.Count(c => c == '\n'));
        Assert.True(readme.Contains("```csharp\n" + snippet + "```\n", StringComparison.Ordinal),
            "README.md's Serving section must show the lines between the markers of tests/VaeGen.Onnx.Tests/ReadmeServing.cs exactly, in a ```csharp block:\n" + snippet);
        Assert.Contains("vaegen export specs/fashion_mlp.vae.yaml --weights runs/fashion_mlp/model.safetensors --out runs/fashion_mlp/onnx", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_serving_snippet_decodes_what_the_managed_model_decodes()
    {
        using var temp = new TempFolder("vaegen-onnx-readme-");
        string specPath = TestSpecs.Path("fashion_mlp.vae.yaml");
        var plan = ExportedModels.Plan(specPath);
        VaeModel model = Builder.ModelBuilder.Create(plan, seed: 3);
        VaeOnnx.Save(model, plan, Path.Combine(temp.Path, "runs", "fashion_mlp", "onnx"));

        string previous = Environment.CurrentDirectory;
        Tensor<float> images;
        try
        {
            Environment.CurrentDirectory = temp.Path;
            images = ReadmeServing.Run();
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }

        Assert.Equal([16, 28, 28, 1], images.Dimensions.ToArray());
        float[] expected = Inputs.Reconstruction(model, model.Decode(new VaeGen.Runtime.Tensors.Tensor(16, 20)));
        Assert.True(RelativeError.Of(images.ToArray(), expected) <= 1e-5);
    }
}
