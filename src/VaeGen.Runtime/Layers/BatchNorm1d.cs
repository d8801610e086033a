using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary><c>torch.nn.BatchNorm1d</c> on (N, C) or (N, C, L).</summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">Features C.</param>
    /// <param name="eps">Variance epsilon.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1)
        : base(numFeatures, eps, momentum)
    {
    }

    /// <inheritdoc />
    protected override void CheckInput(Tensor input)
    {
        if ((input.Rank != 2 && input.Rank != 3) || input.Dim(1) != NumFeatures)
        {
            throw new ArgumentException($"BatchNorm1d expects (N, {NumFeatures}) or (N, {NumFeatures}, L), got {input.ShapeString()}.", nameof(input));
        }
    }
}
