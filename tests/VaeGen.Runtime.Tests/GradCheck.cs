using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Central finite-difference check of a layer's Backward against its Forward.
/// </summary>
/// <remarks>
/// The layers compute in float32, so the scalar probe L = sum_i y_i r_i (r fixed random) is
/// accumulated in double and each step uses the exactly representable perturbation
/// (float)(x + h) - (float)(x - h). What remains is float32 rounding of the outputs divided by the
/// step: the check asserts |numeric - analytic| / max(1, max |analytic|) &lt;= tol for every probe, with tol
/// 5e-4 unless a test states otherwise (the largest observed error is about 3e-5, for Tanh).
/// </remarks>
internal static class GradCheck
{
    public static void Check(Layer layer, Tensor input, double h = 1e-2, double tol = 5e-4, int maxProbes = 64)
    {
        var rng = new Rng(12345);
        Tensor y = layer.Forward(input);
        var r = new float[y.Length];
        rng.FillUniform(r, -1, 1);
        var gy = new Tensor((float[])r.Clone(), y.Shape.ToArray());
        layer.ZeroGrad();
        float[] analyticInput = (float[])layer.Backward(gy).Data.Clone();

        var analyticParams = new List<(string Name, float[] Value, float[] Grad)>();
        foreach (NamedParameter p in layer.NamedParameters())
        {
            analyticParams.Add((p.Name, p.Parameter.Value.Data, (float[])p.Parameter.Grad.Data.Clone()));
        }

        Compare("input", input.Data, analyticInput, layer, input, r, h, tol, maxProbes, rng);
        foreach ((string name, float[] value, float[] grad) in analyticParams)
        {
            Compare(name, value, grad, layer, input, r, h, tol, maxProbes, rng);
        }
    }

    private static void Compare(string what, float[] values, float[] analytic, Layer layer, Tensor input, float[] r, double h, double tol, int maxProbes, Rng rng)
    {
        double scale = 1;
        foreach (float a in analytic)
        {
            scale = Math.Max(scale, Math.Abs(a));
        }

        int count = Math.Min(values.Length, maxProbes);
        double worst = 0;
        for (int probe = 0; probe < count; probe++)
        {
            int i = values.Length <= maxProbes ? probe : (int)(rng.NextUInt64() % (ulong)values.Length);
            float original = values[i];
            float plus = (float)(original + h);
            float minus = (float)(original - h);
            values[i] = plus;
            double lPlus = Probe(layer.Forward(input), r);
            values[i] = minus;
            double lMinus = Probe(layer.Forward(input), r);
            values[i] = original;
            double numeric = (lPlus - lMinus) / ((double)plus - minus);
            double err = Math.Abs(numeric - analytic[i]) / scale;
            worst = Math.Max(worst, err);
            Assert.True(err <= tol, $"{layer.GetType().Name} d/d{what}[{i}]: numeric {numeric:G6} vs analytic {analytic[i]:G6} (error {err:E2} > {tol:E1})");
        }
    }

    private static double Probe(Tensor y, float[] r)
    {
        double sum = 0;
        for (int i = 0; i < r.Length; i++)
        {
            sum += (double)y.Data[i] * r[i];
        }

        return sum;
    }
}
