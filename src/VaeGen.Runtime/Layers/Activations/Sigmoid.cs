using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary><c>torch.nn.Sigmoid</c>: 1 / (1 + e^-x); derivative y (1 - y).</summary>
public sealed class Sigmoid : ElementwiseActivation
{
    /// <inheritdoc />
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <inheritdoc />
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= y.Length - w; i += w)
            {
                var v = new Vector<float>(y.Slice(i));
                (new Vector<float>(gy.Slice(i)) * (Vector<float>.One - v) * v).CopyTo(gx.Slice(i));
            }
        }

        for (; i < y.Length; i++)
        {
            gx[i] = gy[i] * (1f - y[i]) * y[i];
        }
    }
}
