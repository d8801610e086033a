using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary>
/// <c>torch.nn.ReLU</c>: max(x, 0). The gradient is zero where the output is &lt;= 0, as PyTorch's
/// threshold_backward (so it is 0 at x = 0 and passes through where the output is NaN).
/// </summary>
public sealed class ReLU : ElementwiseActivation
{
    /// <inheritdoc />
    /// <remarks>max(x, 0) is exact, and TensorPrimitives' vector and scalar paths agree on it (NaN and -0 included).</remarks>
    internal override bool SameBitsAnywhere => true;

    /// <inheritdoc />
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <inheritdoc />
    /// <remarks><see cref="Derive"/> reads only y.</remarks>
    internal override bool DerivesFromOutput => true;

    /// <inheritdoc />
    internal override void DeriveFromOutput(ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx) => Derive(default, y, gy, gx);

    /// <inheritdoc />
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= y.Length - w; i += w)
            {
                var blocked = Vector.LessThanOrEqual(new Vector<float>(y.Slice(i)), Vector<float>.Zero);
                Vector.ConditionalSelect(blocked, Vector<float>.Zero, new Vector<float>(gy.Slice(i))).CopyTo(gx.Slice(i));
            }
        }

        for (; i < y.Length; i++)
        {
            gx[i] = y[i] <= 0f ? 0f : gy[i];
        }
    }
}
