using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The bilinear forward's vector loop (eight outputs at a time, taps gathered) against the scalar formula it replaces
/// for whole vectors, bit for bit, on scales that give every pattern of taps: 2x, a fraction, a shrink, rows not a
/// multiple of eight.
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
}
