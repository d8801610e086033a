using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary><c>torch.nn.BatchNorm2d</c> on (N, C, H, W).</summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">Channels C.</param>
    /// <param name="eps">Variance epsilon.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1)
        : base(numFeatures, eps, momentum)
    {
    }

    /// <inheritdoc />
    protected override void CheckInput(Tensor input)
    {
        if (input.Rank != 4 || input.Dim(1) != NumFeatures)
        {
            throw new ArgumentException($"BatchNorm2d expects (N, {NumFeatures}, H, W), got {input.ShapeString()}.", nameof(input));
        }
    }
}
