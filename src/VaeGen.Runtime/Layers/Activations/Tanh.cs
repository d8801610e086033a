using System;
using System.Numerics;
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
        // The vector and scalar loops do the same float operations in the same order, so the result does not depend on
        // where the vector loop ends (ElementwiseThreadTests splits it).
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= y.Length - w; i += w)
            {
                var v = new Vector<float>(y.Slice(i));
                (new Vector<float>(gy.Slice(i)) * (Vector<float>.One - (v * v))).CopyTo(gx.Slice(i));
            }
        }

        for (; i < y.Length; i++)
        {
            gx[i] = gy[i] * (1f - (y[i] * y[i]));
        }
    }
}
