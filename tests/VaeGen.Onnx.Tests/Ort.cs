using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace VaeGen.Onnx.Tests;

/// <summary>Runs an ONNX file in ONNX Runtime (one thread: the machine's two cores are shared by the test run).</summary>
internal static class Ort
{
    /// <param name="path">The ONNX file.</param>
    /// <param name="inputs">Float inputs, and a conditional VAE's int64 <c>labels</c> (data a long[]).</param>
    public static Dictionary<string, float[]> Run(string path, params (string Name, System.Array Data, int[] Shape)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        var values = inputs.Select(i => i.Data is long[] labels
            ? NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<long>(labels, i.Shape))
            : NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>((float[])i.Data, i.Shape))).ToList();
        using var results = session.Run(values);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }
}
