using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace VaeGen.Onnx.Tests;

/// <summary>README's "Serving" snippet, compiled here: the lines between the markers are the README's C# block, word for word (ReadmeTests checks it).</summary>
internal static class ReadmeServing
{
    /// <summary>Runs the snippet in the current directory, which must hold runs/fashion_mlp/onnx/decoder.onnx; returns what it printed.</summary>
    public static Tensor<float> Run()
    {
        // README begin
        using var session = new InferenceSession("runs/fashion_mlp/onnx/decoder.onnx");   // written by vaegen export
        var z = new DenseTensor<float>(new float[16 * 20], [16, 20]);                 // 16 latent vectors of FashionMlpVae
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("z", z)]);
        Tensor<float> images = results[0].AsTensor<float>();                          // (16, 28, 28, 1), pixel probabilities
        Console.WriteLine(string.Join("x", images.Dimensions.ToArray()));              // 16x28x28x1
        // README end
        return images.Clone();
    }

    /// <summary>The snippet as README shows it: the lines between the markers, unindented.</summary>
    public static string Text(string source)
    {
        string[] lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int begin = Array.FindIndex(lines, l => l.Trim() == "// README begin");
        int end = Array.FindIndex(lines, l => l.Trim() == "// README end");
        return string.Concat(lines[(begin + 1)..end].Select(l => l[8..] + "\n"));
    }
}
