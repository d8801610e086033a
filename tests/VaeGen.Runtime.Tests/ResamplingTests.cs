using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The bilinear forward (each input row interpolated once along the row, eight outputs at a time with gathered taps,
/// then output rows as weighted pairs of those) against the scalar formula it replaces, bit for bit, and the backward
/// against the formula's adjoint summed in double, on scales that give every pattern of taps: 2x, a fraction, a
/// shrink, rows not a multiple of eight.
/// </summary>
public sealed class ResamplingTests
{
    [Theory]
    [InlineData(5, 7, 10, 14, 2.0)]
    [InlineData(9, 13, 13, 19, 1.5)]
    [InlineData(16, 40, 7, 17, 0.0)]
    [InlineData(3, 3, 24, 33, 0.0)]
    public void BilinearForwardGivesTheScalarFormulasBits(int inH, int inW, int outH, int outW, double scale)
    {
        const int planes = 3;
        var rows = new ResampleAxis(inH, outH, scale, nearest: false);
        var cols = new ResampleAxis(inW, outW, scale, nearest: false);
        var x = new float[planes * inH * inW];
        new Rng(17).FillUniform(x, -2, 2);
        var y = new float[planes * outH * outW];
        Resampling.BilinearForward(x, y, rows, cols, planes, inH, inW, outH, outW);
        for (int p = 0; p < planes; p++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                int a = (p * inH * inW) + (rows.Index0[oh] * inW), b = (p * inH * inW) + (rows.Index1[oh] * inW);
                float lh0 = rows.Lambda0[oh], lh1 = rows.Lambda1[oh];
                for (int ow = 0; ow < outW; ow++)
                {
                    int c0 = cols.Index0[ow], c1 = cols.Index1[ow];
                    float lw0 = cols.Lambda0[ow], lw1 = cols.Lambda1[ow];
                    float expected = (lh0 * ((lw0 * x[a + c0]) + (lw1 * x[a + c1]))) + (lh1 * ((lw0 * x[b + c0]) + (lw1 * x[b + c1])));
                    float actual = y[(((p * outH) + oh) * outW) + ow];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"plane {p}, ({oh}, {ow}): {actual} != {expected}");
                }
            }
        }
    }

    [Theory]
    [InlineData(5, 7, 10, 14, 2.0)]
    [InlineData(9, 13, 13, 19, 1.5)]
    [InlineData(16, 40, 7, 17, 0.0)]
    [InlineData(3, 3, 24, 33, 0.0)]
    [InlineData(6, 6, 6, 6, 0.0)]
    public void BilinearBackwardIsTheForwardsAdjoint(int inH, int inW, int outH, int outW, double scale)
    {
        const int planes = 3;
        var rows = new ResampleAxis(inH, outH, scale, nearest: false);
        var cols = new ResampleAxis(inW, outW, scale, nearest: false);
        var gy = new float[planes * outH * outW];
        new Rng(23).FillUniform(gy, -2, 2);
        var gx = new float[planes * inH * inW];
        gx.AsSpan().Fill(float.NaN);
        Resampling.BilinearBackward(gy, gx, rows, cols, planes, inH, inW, outH, outW);

        // Every output adds each of its four products to the input it read.
        var expected = new double[gx.Length];
        for (int p = 0; p < planes; p++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    double g = gy[(((p * outH) + oh) * outW) + ow];
                    foreach ((int ih, double lh) in new[] { (rows.Index0[oh], (double)rows.Lambda0[oh]), (rows.Index1[oh], rows.Lambda1[oh]) })
                    {
                        foreach ((int iw, double lw) in new[] { (cols.Index0[ow], (double)cols.Lambda0[ow]), (cols.Index1[ow], cols.Lambda1[ow]) })
                        {
                            expected[(((p * inH) + ih) * inW) + iw] += lh * lw * g;
                        }
                    }
                }
            }
        }

        for (int i = 0; i < gx.Length; i++)
        {
            Assert.True(Math.Abs(gx[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {gx[i]} != {expected[i]}");
        }
    }
}
