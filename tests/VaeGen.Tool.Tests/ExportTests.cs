using System;
using System.IO;
using System.Linq;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>
/// <c>vaegen export</c> as a process: trained weights become the three ONNX files, and bad input is one
/// line with exit code 2 that leaves the output folder as it was. What the graphs compute is
/// tests/VaeGen.Onnx.Tests' subject (ONNX Runtime, the ONNX checker, PyTorch's export).
/// </summary>
public sealed class ExportTests(TrainedMlp trained) : IClassFixture<TrainedMlp>
{
    [Fact]
    public void ExportWritesTheEncoderTheDecoderAndTheWholeVae()
    {
        using var temp = new TempFolder();
        string output = temp.File("onnx");
        ProcessResult result = ToolProcess.Run("export", TrainedMlp.Spec, "--weights", trained.Weights, "--out", output);

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] files = ["encoder.onnx", "decoder.onnx", "vae.onnx"];
        Assert.Equal(files.Order(StringComparer.Ordinal), Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

        // Each holds the float32 weights of its part: 784*400 + 400 + 2 * (400*20 + 20) encoder values, at least.
        Assert.True(new FileInfo(Path.Combine(output, "encoder.onnx")).Length > 4L * ((784 * 400) + (2 * 400 * 20)));
        Assert.True(new FileInfo(Path.Combine(output, "vae.onnx")).Length > new FileInfo(Path.Combine(output, "decoder.onnx")).Length);
        Assert.EndsWith("exported FashionMlpVae from " + trained.Weights + " to ONNX opset 17 in " + output + "\n", result.Out.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsOfAnotherSpecAreOneLineAndExitTwoAndWriteNothing()
    {
        using var temp = new TempFolder();
        string output = temp.File("onnx");
        ProcessResult result = ToolProcess.Run("export", ToolProcess.Spec("fashion_conv.vae.yaml"), "--weights", trained.Weights, "--out", output);

        Assert.True(result.ExitCode == 2, result.ToString());
        string error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("vaegen: error: " + trained.Weights + ": does not match FashionConvVae", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any());
    }

    [Fact]
    public void ASpecTheExporterCannotExpressNamesTheLayerAndWritesNothing()
    {
        // A spec that checks clean but that ONNX cannot express (the file says why).
        using var temp = new TempFolder();
        string spec = Repository.Path("tests", "VaeGen.Onnx.Tests", "Specs", "ceil_unexportable.vae.yaml");
        string weights = temp.File("ceil.safetensors");
        var plan = VaeGen.Spec.Checking.SpecChecker.Check(spec, File.ReadAllBytes(spec)).Plan!;
        VaeGen.Builder.ModelBuilder.Create(plan, seed: 0).SaveWeights(weights);
        string output = temp.File("onnx");
        ProcessResult result = ToolProcess.Run("export", spec, "--weights", weights, "--out", output);

        Assert.True(result.ExitCode == 2, result.ToString());
        string error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("vaegen: error: " + spec + ": encoder.0 (maxpool2d", error, StringComparison.Ordinal);
        Assert.Contains("cannot be exported to ONNX opset 17", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any());
    }
}
