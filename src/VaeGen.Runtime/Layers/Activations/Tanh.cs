using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary><c>torch.nn.Tanh</c>; derivative 1 - y^2.</summary>
public sealed class Tanh : ElementwiseActivation
{
    /// <inheritdoc />
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <inheritdoc />
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
    {
        for (int i = 0; i < y.Length; i++)
        {
            gx[i] = gy[i] * (1f - (y[i] * y[i]));
        }
    }
}
