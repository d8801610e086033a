using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Rearranges one image's receptive fields into a matrix so convolution becomes a GEMM, and back.
/// The column matrix is [C * kh * kw, outH * outW], row index (c * kh + i) * kw + j, matching the
/// flattened PyTorch weight [out, C, kh, kw].
/// </summary>
public static class Im2Col
{
    /// <summary>Fills <paramref name="columns"/> from <paramref name="image"/> ([C, inH, inW]); padding reads as zero.</summary>
    /// <param name="image">One image, channels-first.</param>
    /// <param name="channels">C.</param>
    /// <param name="g">The window geometry.</param>
    /// <param name="columns">The [C * kh * kw, outH * outW] destination.</param>
    /// <param name="columnStride">Distance between rows of <paramref name="columns"/>: outH * outW, or more when several images share a wide column matrix.</param>
    public static unsafe void Gather(ReadOnlySpan<float> image, int channels, in ConvGeometry g, Span<float> columns, int columnStride)
    {
        CheckSizes(image.Length, channels, g, columns.Length, columnStride);

        // Rows are often only a few elements wide (7 for a 7x7 output), so this loop avoids
        // per-row span bookkeeping: raw pointers, and bounds proven once by CheckSizes.
        int inH = g.InH, inW = g.InW, outH = g.OutH, outW = g.OutW;
        int strideH = g.StrideH, strideW = g.StrideW, padH = g.PadH;
        fixed (float* imageBase = image)
        fixed (float* columnBase = columns)
        {
            for (int c = 0; c < channels; c++)
            {
                float* plane = imageBase + ((long)c * g.InArea);
                for (int ki = 0; ki < g.KernelH; ki++)
                {
                    for (int kj = 0; kj < g.KernelW; kj++)
                    {
                        int row = (((c * g.KernelH) + ki) * g.KernelW) + kj;
                        float* dst = columnBase + ((long)row * columnStride);
                        int colOffset = (kj * g.DilationW) - g.PadW;
                        ValidRange(colOffset, strideW, inW, outW, out int owLo, out int owHi);
                        int rowOffset = (ki * g.DilationH) - padH;
                        for (int oh = 0; oh < outH; oh++, dst += outW)
                        {
                            int ih = (oh * strideH) + rowOffset;
                            if ((uint)ih >= (uint)inH)
                            {
                                new Span<float>(dst, outW).Clear();
                                continue;
                            }

                            int ow = 0;
                            for (; ow < owLo; ow++)
                            {
                                dst[ow] = 0f;
                            }

                            float* src = plane + ((long)ih * inW) + (owLo * strideW) + colOffset;
                            if (strideW == 1)
                            {
                                Buffer.MemoryCopy(src, dst + owLo, (owHi - owLo) * sizeof(float), (owHi - owLo) * sizeof(float));
                                ow = owHi;
                            }
                            else
                            {
                                for (; ow < owHi; ow++, src += strideW)
                                {
                                    dst[ow] = *src;
                                }
                            }

                            for (ow = Math.Max(ow, owHi); ow < outW; ow++)
                            {
                                dst[ow] = 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds each column entry back onto the image position it was gathered from (the adjoint of
    /// <see cref="Gather"/>); entries that fell in the padding are dropped. Does not clear <paramref name="image"/>.
    /// </summary>
    /// <param name="columns">The [C * kh * kw, outH * outW] source.</param>
    /// <param name="channels">C.</param>
    /// <param name="g">The window geometry.</param>
    /// <param name="columnStride">Distance between rows of <paramref name="columns"/>.</param>
    /// <param name="image">One image [C, inH, inW] to accumulate into.</param>
    public static unsafe void ScatterAdd(ReadOnlySpan<float> columns, int channels, in ConvGeometry g, int columnStride, Span<float> image)
    {
        CheckSizes(image.Length, channels, g, columns.Length, columnStride);
        int inH = g.InH, inW = g.InW, outH = g.OutH, outW = g.OutW;
        int strideH = g.StrideH, strideW = g.StrideW, padH = g.PadH;
        fixed (float* imageBase = image)
        fixed (float* columnBase = columns)
        {
            for (int c = 0; c < channels; c++)
            {
                float* plane = imageBase + ((long)c * g.InArea);
                for (int ki = 0; ki < g.KernelH; ki++)
                {
                    for (int kj = 0; kj < g.KernelW; kj++)
                    {
                        int row = (((c * g.KernelH) + ki) * g.KernelW) + kj;
                        float* src = columnBase + ((long)row * columnStride);
                        int colOffset = (kj * g.DilationW) - g.PadW;
                        ValidRange(colOffset, strideW, inW, outW, out int owLo, out int owHi);
                        int rowOffset = (ki * g.DilationH) - padH;
                        for (int oh = 0; oh < outH; oh++, src += outW)
                        {
                            int ih = (oh * strideH) + rowOffset;
                            if ((uint)ih >= (uint)inH || owLo >= owHi)
                            {
                                continue;
                            }

                            float* dst = plane + ((long)ih * inW) + (owLo * strideW) + colOffset;
                            if (strideW == 1 && owHi - owLo >= 16)
                            {
                                var d = new Span<float>(dst, owHi - owLo);
                                TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + owLo, owHi - owLo), d);
                            }
                            else
                            {
                                for (int ow = owLo; ow < owHi; ow++, dst += strideW)
                                {
                                    *dst += src[ow];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// How many samples share one column matrix: as many as keep it within
    /// the budget floats. One wide GEMM per group replaces one GEMM per sample,
    /// whose N (outH * outW, often below 100 in a VAE) is too narrow to keep the kernel busy or
    /// to split over threads. Depends only on shapes, so results do not depend on thread count.
    /// </summary>
    /// <param name="samples">The batch size.</param>
    /// <param name="rows">Rows of one sample's column matrix (C * kh * kw).</param>
    /// <param name="area">Columns of one sample's column matrix (outH * outW).</param>
    /// <param name="budget">The column-matrix size to stay within, in floats.</param>
    public static int GroupSize(int samples, int rows, int area, long budget = DefaultColumnBudget) =>
        (int)Math.Clamp(budget / Math.Max(1L, (long)rows * area), 1, Math.Max(1, samples));

    /// <summary>The default column-matrix size, in floats, that <see cref="GroupSize"/> stays within (16 MB).</summary>
    public const long DefaultColumnBudget = 1L << 22;

    /// <summary>The output columns [lo, hi) whose input column ow * stride + offset lies inside [0, inW).</summary>
    private static void ValidRange(int offset, int stride, int inW, int outW, out int lo, out int hi)
    {
        // ow * stride + offset >= 0  <=>  ow >= ceil(-offset / stride)
        lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        // ow * stride + offset <= inW - 1  <=>  ow <= floor((inW - 1 - offset) / stride)
        int last = inW - 1 - offset;
        hi = last < 0 ? 0 : (last / stride) + 1;
        lo = Math.Min(lo, outW);
        hi = Math.Clamp(hi, lo, outW);
    }

    private static void CheckSizes(int imageLength, int channels, in ConvGeometry g, int columnsLength, int columnStride)
    {
        if (columnStride < g.OutArea)
        {
            throw new ArgumentException($"im2col: column stride {columnStride} is below the {g.OutArea} output positions.");
        }

        if (imageLength < channels * g.InArea)
        {
            throw new ArgumentException($"im2col: image holds {imageLength} values, needs {channels * g.InArea}.");
        }

        long needed = ((long)((channels * g.KernelArea) - 1) * columnStride) + g.OutArea;
        if (columnsLength < needed)
        {
            throw new ArgumentException($"im2col: columns hold {columnsLength} values, needs {needed}.");
        }
    }
}
