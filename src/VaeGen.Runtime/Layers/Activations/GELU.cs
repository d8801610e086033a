using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary>
/// <c>torch.nn.GELU()</c> in its default exact form: x Phi(x) = 0.5 x (1 + erf(x / sqrt 2));
/// derivative Phi(x) + x phi(x).
/// </summary>
/// <remarks>
/// erf uses Abramowitz and Stegun 7.1.26 (|error| &lt; 1.5e-7) in float, the approximation
/// PyTorch's vectorised CPU erf uses. Its e^(-z^2) factor with z = x / sqrt 2 is e^(-x^2 / 2),
/// which is also the Gaussian density phi(x) up to a constant, so one vectorised exponential
/// pass (written into the destination, then consumed in place) serves both passes.
/// </remarks>
public sealed class GELU : ElementwiseActivation
{
    private const float InvSqrt2 = 0.70710678118654752440f;
    private const float InvSqrt2Pi = 0.39894228040143267794f;
    private const float P = 0.3275911f;
    private const float A1 = 0.254829592f;
    private const float A2 = -0.284496736f;
    private const float A3 = 1.421413741f;
    private const float A4 = -1.453152027f;
    private const float A5 = 1.061405429f;

    /// <inheritdoc />
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        HalfSquareExp(x, y);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(x.Slice(i));
            (new Vector<float>(0.5f) * v * (Vector<float>.One + Erf(v, new Vector<float>(y.Slice(i))))).CopyTo(y.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            y[i] = 0.5f * x[i] * (1f + Erf(x[i], y[i]));
        }
    }

    /// <inheritdoc />
    private protected override bool DerivesInPlace => false; // the Gaussian density goes into gx before gy is read

    /// <inheritdoc />
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
    {
        HalfSquareExp(x, gx);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(x.Slice(i));
            var e = new Vector<float>(gx.Slice(i));
            var cdf = new Vector<float>(0.5f) * (Vector<float>.One + Erf(v, e));
            (new Vector<float>(gy.Slice(i)) * (cdf + (v * e * new Vector<float>(InvSqrt2Pi)))).CopyTo(gx.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            float e = gx[i];
            float cdf = 0.5f * (1f + Erf(x[i], e));
            gx[i] = gy[i] * (cdf + (x[i] * e * InvSqrt2Pi));
        }
    }

    /// <summary>erf(x / sqrt 2) by A and S 7.1.26, given e = exp(-x^2 / 2).</summary>
    internal static float Erf(float x, float e)
    {
        float t = 1f / (1f + (P * InvSqrt2 * MathF.Abs(x)));
        float poly = ((((((((A5 * t) + A4) * t) + A3) * t) + A2) * t) + A1) * t;
        float r = 1f - (poly * e);
        return x < 0 ? -r : r;
    }

    private static Vector<float> Erf(Vector<float> x, Vector<float> e)
    {
        var t = Vector<float>.One / (Vector<float>.One + (new Vector<float>(P * InvSqrt2) * Vector.Abs(x)));
        var poly = (new Vector<float>(A5) * t) + new Vector<float>(A4);
        poly = (poly * t) + new Vector<float>(A3);
        poly = (poly * t) + new Vector<float>(A2);
        poly = (poly * t) + new Vector<float>(A1);
        var r = Vector<float>.One - (poly * t * e);
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -r, r);
    }

    /// <summary>dst = exp(-x^2 / 2).</summary>
    private static void HalfSquareExp(ReadOnlySpan<float> x, Span<float> dst)
    {
        TensorPrimitives.Multiply(x, x, dst);
        TensorPrimitives.Multiply(dst, -0.5f, dst);
        TensorPrimitives.Exp(dst, dst);
    }
}
