using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// The per-element loops of nearest and bilinear resampling (<c>Layers.Upsample</c>), forward and
/// backward, over [planes, H, W] buffers, reading per-axis index and weight tables.
/// </summary>
internal static class Resampling
{
    /// <summary>The forward and backward loops for a mode and a size: exact 2x nearest has its own.</summary>
    /// <param name="nearest">Nearest (else bilinear).</param>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    /// <param name="outH">Output height.</param>
    /// <param name="outW">Output width.</param>
    public static (ResampleKernel Forward, ResampleKernel Backward) Select(bool nearest, int inH, int inW, int outH, int outW) =>
        !nearest ? (BilinearForward, BilinearBackward)
        : outH == 2 * inH && outW == 2 * inW ? (Nearest2xForward, Nearest2xBackward)
        : (NearestForward, NearestBackward);

    // Exact 2x nearest (the usual decoder upsampling) maps output (2i + a, 2j + b) to input (i, j):
    // each output row is built once and duplicated, and the gradient sums each 2x2 block in the
    // order the general loop would (row 2i left to right, then row 2i + 1).
    public static unsafe void Nearest2xForward(ReadOnlySpan<float> x, Span<float> y, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* xp = x)
        fixed (float* yp = y)
        {
            float* src = xp;
            float* dst = yp;
            for (int r = 0; r < planes * inH; r++, src += inW, dst += 2 * outW)
            {
                for (int i = 0; i < inW; i++)
                {
                    dst[2 * i] = src[i];
                    dst[(2 * i) + 1] = src[i];
                }

                Buffer.MemoryCopy(dst, dst + outW, outW * sizeof(float), outW * sizeof(float));
            }
        }
    }

    public static unsafe void Nearest2xBackward(ReadOnlySpan<float> gy, Span<float> gx, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        {
            float* top = gyp;
            float* dst = gxp;
            for (int r = 0; r < planes * inH; r++, top += 2 * outW, dst += inW)
            {
                float* bottom = top + outW;
                for (int i = 0; i < inW; i++)
                {
                    dst[i] = top[2 * i] + top[(2 * i) + 1] + bottom[2 * i] + bottom[(2 * i) + 1];
                }
            }
        }
    }

    // The four loops below run per output element, so they use raw pointers: index tables and
    // plane offsets make every access provably in range (tables are built from the same sizes).
    public static unsafe void NearestForward(ReadOnlySpan<float> x, Span<float> y, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* rowIndex = rows.Index0)
        fixed (int* colIndex = cols.Index0)
        {
            float* dst = yp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = xp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, dst += outW)
                {
                    float* src = plane + ((long)rowIndex[oh] * inW);
                    for (int ow = 0; ow < outW; ow++)
                    {
                        dst[ow] = src[colIndex[ow]];
                    }
                }
            }
        }
    }

    public static unsafe void NearestBackward(ReadOnlySpan<float> gy, Span<float> gx, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        fixed (int* rowIndex = rows.Index0)
        fixed (int* colIndex = cols.Index0)
        {
            float* src = gyp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = gxp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, src += outW)
                {
                    float* dst = plane + ((long)rowIndex[oh] * inW);
                    for (int ow = 0; ow < outW; ow++)
                    {
                        dst[colIndex[ow]] += src[ow];
                    }
                }
            }
        }
    }

    public static unsafe void BilinearForward(ReadOnlySpan<float> x, Span<float> y, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* r0s = rows.Index0)
        fixed (int* r1s = rows.Index1)
        fixed (float* lh0s = rows.Lambda0)
        fixed (float* lh1s = rows.Lambda1)
        fixed (int* c0s = cols.Index0)
        fixed (int* c1s = cols.Index1)
        fixed (float* lw0s = cols.Lambda0)
        fixed (float* lw1s = cols.Lambda1)
        {
            float* dst = yp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = xp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, dst += outW)
                {
                    float* a = plane + ((long)r0s[oh] * inW);
                    float* b = plane + ((long)r1s[oh] * inW);
                    float lh0 = lh0s[oh], lh1 = lh1s[oh];
                    int ow = 0;
                    if (Avx2.IsSupported)
                    {
                        // Eight outputs at a time, their four taps gathered; the same float operations in the same order
                        // as the scalar loop (no fused multiply-add), so the same bits.
                        Vector256<float> vh0 = Vector256.Create(lh0), vh1 = Vector256.Create(lh1);
                        for (; ow + 8 <= outW; ow += 8)
                        {
                            Vector256<int> i0 = Vector256.Load(c0s + ow), i1 = Vector256.Load(c1s + ow);
                            Vector256<float> w0 = Vector256.Load(lw0s + ow), w1 = Vector256.Load(lw1s + ow);
                            Vector256<float> top = (w0 * Avx2.GatherVector256(a, i0, 4)) + (w1 * Avx2.GatherVector256(a, i1, 4));
                            Vector256<float> bottom = (w0 * Avx2.GatherVector256(b, i0, 4)) + (w1 * Avx2.GatherVector256(b, i1, 4));
                            ((vh0 * top) + (vh1 * bottom)).Store(dst + ow);
                        }
                    }

                    for (; ow < outW; ow++)
                    {
                        int c0 = c0s[ow], c1 = c1s[ow];
                        float lw0 = lw0s[ow], lw1 = lw1s[ow];
                        dst[ow] = (lh0 * ((lw0 * a[c0]) + (lw1 * a[c1]))) + (lh1 * ((lw0 * b[c0]) + (lw1 * b[c1])));
                    }
                }
            }
        }
    }

    public static unsafe void BilinearBackward(ReadOnlySpan<float> gy, Span<float> gx, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        fixed (int* r0s = rows.Index0)
        fixed (int* r1s = rows.Index1)
        fixed (float* lh0s = rows.Lambda0)
        fixed (float* lh1s = rows.Lambda1)
        fixed (int* c0s = cols.Index0)
        fixed (int* c1s = cols.Index1)
        fixed (float* lw0s = cols.Lambda0)
        fixed (float* lw1s = cols.Lambda1)
        {
            float* src = gyp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = gxp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, src += outW)
                {
                    float* a = plane + ((long)r0s[oh] * inW);
                    float* b = plane + ((long)r1s[oh] * inW);
                    float lh0 = lh0s[oh], lh1 = lh1s[oh];
                    for (int ow = 0; ow < outW; ow++)
                    {
                        float g = src[ow];
                        int c0 = c0s[ow], c1 = c1s[ow];
                        float lw0 = lw0s[ow], lw1 = lw1s[ow];
                        a[c0] += lh0 * lw0 * g;
                        a[c1] += lh0 * lw1 * g;
                        b[c0] += lh1 * lw0 * g;
                        b[c1] += lh1 * lw1 * g;
                    }
                }
            }
        }
    }
}

/// <summary>For each output index along one axis: the two source indices and their weights.</summary>
internal readonly struct ResampleAxis
{
    public readonly int[] Index0;
    public readonly int[] Index1;
    public readonly float[] Lambda0;
    public readonly float[] Lambda1;

    public ResampleAxis(int inSize, int outSize, double scaleFactor, bool nearest)
    {
        Index0 = new int[outSize];
        Index1 = new int[outSize];
        Lambda0 = new float[outSize];
        Lambda1 = new float[outSize];

        // compute_scales_value: 1/scale_factor when given, else in/out, both as float.
        float scale = scaleFactor > 0 ? (float)(1.0 / scaleFactor) : (float)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            if (nearest)
            {
                // nearest_idx: identity and exact 2x have shortcuts that avoid float rounding.
                int src = outSize == inSize ? o
                    : outSize == 2 * inSize ? o >> 1
                    : Math.Min((int)MathF.Floor(o * scale), inSize - 1);
                Index0[o] = src;
                Index1[o] = src;
                Lambda0[o] = 1f;
                Lambda1[o] = 0f;
            }
            else if (outSize == inSize)
            {
                Index0[o] = o;
                Index1[o] = o;
                Lambda0[o] = 1f;
                Lambda1[o] = 0f;
            }
            else
            {
                float real = MathF.Max((scale * (o + 0.5f)) - 0.5f, 0f);
                int i0 = (int)real;
                Index0[o] = i0;
                Index1[o] = i0 + (i0 < inSize - 1 ? 1 : 0);
                float l1 = Math.Clamp(real - i0, 0f, 1f);
                Lambda1[o] = l1;
                Lambda0[o] = 1f - l1;
            }
        }
    }
}

/// <summary>One resampling loop: reads [planes, inH, inW] (or the output gradient) and writes or adds into the other side.</summary>
/// <param name="source">What the loop reads.</param>
/// <param name="destination">What the loop writes (forward) or adds into (backward).</param>
/// <param name="rows">The row table.</param>
/// <param name="cols">The column table.</param>
/// <param name="planes">Planes (batch times channels).</param>
/// <param name="inH">Input height.</param>
/// <param name="inW">Input width.</param>
/// <param name="outH">Output height.</param>
/// <param name="outW">Output width.</param>
internal delegate void ResampleKernel(ReadOnlySpan<float> source, Span<float> destination, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW);
