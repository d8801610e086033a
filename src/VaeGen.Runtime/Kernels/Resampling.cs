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

    /// <summary>
    /// Bilinear, separably: each input row is interpolated along the row once, into the output's width, and each output
    /// row is then the two weighted rows it reads. An output is the scalar formula's operations in its order,
    /// (lh0 * ((lw0 * a[c0]) + (lw1 * a[c1]))) + (lh1 * (...b...)), so the same bits; the per-row part, which the formula
    /// repeats for every output row reading that input row, is done once.
    /// </summary>
    public static unsafe void BilinearForward(ReadOnlySpan<float> x, Span<float> y, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        float[] across = Scratch(inH * outW);
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (float* hp = across)
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
                for (int ih = 0; ih < inH; ih++)
                {
                    float* a = plane + ((long)ih * inW);
                    float* h = hp + ((long)ih * outW);
                    int ow = 0;
                    if (Avx2.IsSupported)
                    {
                        // Eight outputs at a time, their two taps gathered; no fused multiply-add, so the scalar loop's bits.
                        for (; ow + 8 <= outW; ow += 8)
                        {
                            Vector256<int> i0 = Vector256.Load(c0s + ow), i1 = Vector256.Load(c1s + ow);
                            Vector256<float> w0 = Vector256.Load(lw0s + ow), w1 = Vector256.Load(lw1s + ow);
                            ((w0 * Avx2.GatherVector256(a, i0, 4)) + (w1 * Avx2.GatherVector256(a, i1, 4))).Store(h + ow);
                        }
                    }

                    for (; ow < outW; ow++)
                    {
                        h[ow] = (lw0s[ow] * a[c0s[ow]]) + (lw1s[ow] * a[c1s[ow]]);
                    }
                }

                for (int oh = 0; oh < outH; oh++, dst += outW)
                {
                    WeightedSum(hp + ((long)r0s[oh] * outW), lh0s[oh], hp + ((long)r1s[oh] * outW), lh1s[oh], dst, outW);
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="BilinearForward"/>, in its two steps reversed: each input row's gradient along the output's
    /// width is the weighted sum of the output rows that read it (<see cref="ResampleAxis.ReaderStart"/>, in output order),
    /// and each input's gradient the weighted sum of the positions along that row that read it. Every sum is formed in
    /// registers in a fixed order, where the scatter it replaces added four products per output into memory one at a time.
    /// </summary>
    public static unsafe void BilinearBackward(ReadOnlySpan<float> gy, Span<float> gx, ResampleAxis rows, ResampleAxis cols, int planes, int inH, int inW, int outH, int outW)
    {
        float[] across = Scratch(inH * outW);
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        fixed (float* hp = across)
        fixed (int* rowStart = rows.ReaderStart)
        fixed (int* rowReaders = rows.Readers)
        fixed (float* rowWeights = rows.ReaderWeights)
        fixed (int* colStart = cols.ReaderStart)
        fixed (int* colReaders = cols.Readers)
        fixed (float* colWeights = cols.ReaderWeights)
        {
            for (int p = 0; p < planes; p++)
            {
                float* g = gyp + ((long)p * outH * outW);
                float* plane = gxp + ((long)p * inH * inW);
                for (int ih = 0; ih < inH; ih++)
                {
                    float* h = hp + ((long)ih * outW);
                    int first = rowStart[ih], end = rowStart[ih + 1];
                    if (first == end)
                    {
                        // A shrink can skip an input row: its gradient is zero.
                        new Span<float>(h, outW).Clear();
                    }
                    else
                    {
                        Scaled(g + ((long)rowReaders[first] * outW), rowWeights[first], h, outW);
                        for (int k = first + 1; k < end; k++)
                        {
                            // h = (1 * h) + (w * g): the one is exact, so this adds w * g to the sum so far.
                            WeightedSum(h, 1f, g + ((long)rowReaders[k] * outW), rowWeights[k], h, outW);
                        }
                    }

                    float* dst = plane + ((long)ih * inW);
                    for (int iw = 0; iw < inW; iw++)
                    {
                        float sum = 0f;
                        for (int k = colStart[iw]; k < colStart[iw + 1]; k++)
                        {
                            sum += colWeights[k] * h[colReaders[k]];
                        }

                        dst[iw] = sum;
                    }
                }
            }
        }
    }

    /// <summary>dst = (w0 * a) + (w1 * b) over n floats, a vector at a time and then the same operations one at a time.</summary>
    private static unsafe void WeightedSum(float* a, float w0, float* b, float w1, float* dst, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> v0 = Vector256.Create(w0), v1 = Vector256.Create(w1);
            for (; i + 8 <= n; i += 8)
            {
                ((v0 * Vector256.Load(a + i)) + (v1 * Vector256.Load(b + i))).Store(dst + i);
            }
        }

        for (; i < n; i++)
        {
            dst[i] = (w0 * a[i]) + (w1 * b[i]);
        }
    }

    /// <summary>dst = w * a over n floats.</summary>
    private static unsafe void Scaled(float* a, float w, float* dst, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> v = Vector256.Create(w);
            for (; i + 8 <= n; i += 8)
            {
                (v * Vector256.Load(a + i)).Store(dst + i);
            }
        }

        for (; i < n; i++)
        {
            dst[i] = w * a[i];
        }
    }

    /// <summary>The calling thread's rows interpolated along one axis ([inH, outW]): grown when a larger plane needs it, then reused.</summary>
    private static float[] Scratch(int length)
    {
        float[]? scratch = t_across;
        if (scratch is null || scratch.Length < length)
        {
            t_across = scratch = new float[length];
        }

        return scratch;
    }

    [ThreadStatic]
    private static float[]? t_across;
}

/// <summary>For each output index along one axis: the two source indices and their weights.</summary>
internal readonly struct ResampleAxis
{
    public readonly int[] Index0;
    public readonly int[] Index1;
    public readonly float[] Lambda0;
    public readonly float[] Lambda1;

    /// <summary>
    /// The same table read the other way, for the backward: input i is read by the outputs Readers[k] with weights
    /// ReaderWeights[k], for k in [ReaderStart[i], ReaderStart[i + 1]), in output order (an output reading i twice,
    /// at an edge, gives its Lambda0 entry first). Bilinear only: empty for nearest.
    /// </summary>
    public readonly int[] ReaderStart;
    public readonly int[] Readers;
    public readonly float[] ReaderWeights;

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

        if (nearest)
        {
            // Only the bilinear backward reads the table the other way.
            (ReaderStart, Readers, ReaderWeights) = (Array.Empty<int>(), Array.Empty<int>(), Array.Empty<float>());
            return;
        }

        // Counted, then filled in output order: two entries per output.
        ReaderStart = new int[inSize + 1];
        Readers = new int[2 * outSize];
        ReaderWeights = new float[2 * outSize];
        for (int o = 0; o < outSize; o++)
        {
            ReaderStart[Index0[o] + 1]++;
            ReaderStart[Index1[o] + 1]++;
        }

        for (int i = 0; i < inSize; i++)
        {
            ReaderStart[i + 1] += ReaderStart[i];
        }

        int[] next = (int[])ReaderStart.Clone();
        for (int o = 0; o < outSize; o++)
        {
            (Readers[next[Index0[o]]], ReaderWeights[next[Index0[o]]++]) = (o, Lambda0[o]);
            (Readers[next[Index1[o]]], ReaderWeights[next[Index1[o]]++]) = (o, Lambda1[o]);
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
