using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary><c>torch.nn.SiLU</c>: x * sigmoid(x); derivative s (1 + x (1 - s)).</summary>
public sealed class SiLU : ElementwiseActivation
{
    /// <inheritdoc />
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Sigmoid(x, y);
        TensorPrimitives.Multiply(x, y, y);
    }

    /// <inheritdoc />
    private protected override bool DerivesInPlace => false; // the sigmoid goes into gx before gy is read

    /// <inheritdoc />
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
    {
        // The sigmoid is recomputed into gx (vectorised) and then consumed in place.
        TensorPrimitives.Sigmoid(x, gx);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var s = new Vector<float>(gx.Slice(i));
            var v = new Vector<float>(x.Slice(i));
            (new Vector<float>(gy.Slice(i)) * s * (Vector<float>.One + (v * (Vector<float>.One - s)))).CopyTo(gx.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            float s = gx[i];
            gx[i] = gy[i] * s * (1f + (x[i] * (1f - s)));
        }
    }
}
