using System;
using System.Linq;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Onnx.Tests;

/// <summary>
/// A batch of 3 (not the batch of 2 PyTorch traced with: the batch dimension must be dynamic): x in the spec's range, z and eps
/// standard normal, and for a conditional spec three different labels in 0..K-1.
/// </summary>
internal sealed class Inputs
{
    public const int Batch = 3;

    public Inputs(ExportCase c)
    {
        var random = new Random(c.SpecFile.Length * 7919);
        VaeConfig config = c.Model.Config;
        double min = c.Plan.Spec.Input.RangeMin, max = c.Plan.Spec.Input.RangeMax;
        XShape = config.BatchShape(Batch);
        X = Enumerable.Range(0, XShape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(min + ((max - min) * random.NextDouble()))).ToArray();
        LatentShape = [Batch, config.LatentDim];
        Z = Normal(random, Batch * config.LatentDim);
        Eps = Normal(random, Batch * config.LatentDim);
        Labels = config.Classes == 0 ? [] : [config.Classes - 1, 0, 1];
    }

    /// <summary>The labels of a conditional spec's batch (empty otherwise).</summary>
    public int[] Labels { get; }

    /// <summary>The graph inputs after x or z: a conditional spec's int64 labels, else nothing.</summary>
    public (string Name, Array Data, int[] Shape)[] LabelFeed => Labels.Length == 0 ? [] : [("labels", Array.ConvertAll(Labels, l => (long)l), [Batch])];

    public int[] XShape { get; }

    public float[] X { get; }

    public int[] LatentShape { get; }

    public float[] Z { get; }

    public float[] Eps { get; }

    public Tensor XTensor => new((float[])X.Clone(), XShape);

    /// <summary>The reconstruction the graphs give: the decoder's output, through a sigmoid for bce_logits.</summary>
    public static float[] Reconstruction(VaeModel model, Tensor decoded)
    {
        float[] values = decoded.Data.ToArray();
        if (model.Config.Reconstruction == ReconstructionTerm.BceLogits)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = 1f / (1f + MathF.Exp(-values[i]));
            }
        }

        return values;
    }

    private static float[] Normal(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
}
