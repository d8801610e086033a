using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Stride-1 convolution computed straight from zero-padded planes, for a convolution with few output channels,
/// such as the last layer of an image decoder (32 -> 3 channels at 64x64).
/// </summary>
/// <remarks>
/// <para>
/// im2col + GEMM is memory-bound there: the column matrix (in * kh * kw rows by H * W columns, 4.7 MB per
/// 64x64 sample of a 32-channel 3x3 convolution) is written, packed and read again for only 3 weight rows,
/// so that layer ran at 2 GFLOP/s and took 42% of VanillaVAE's training step (LayerProfile). Here each output
/// row vector is a sum over input channels and taps of shifted input row vectors, read from the padded planes
/// in L1/L2, times broadcast weights: nothing is materialised but the padded input.
/// </para>
/// <para>
/// Every output element is summed in a fixed order (bias, then input channels, then taps row by row), by one
/// thread, so results do not depend on the thread count. They differ from the GEMM path's in the last bits.
/// </para>
/// </remarks>
internal static class DirectConv
{
    /// <summary>The most output channels for which the direct path beats im2col + GEMM.</summary>
    public const int MaxOutChannels = 4;

    /// <summary>The largest kernel area here: the weight gradient keeps one vector per tap on the stack.</summary>
    public const int MaxKernelArea = 64;

    /// <summary>Whether a convolution of this geometry and width may run here.</summary>
    public static bool Applies(in ConvGeometry g, int outChannels) =>
        outChannels <= MaxOutChannels && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadH < g.KernelH && g.PadW < g.KernelW && g.KernelArea <= MaxKernelArea;

    /// <summary>Floats of the padded planes of <paramref name="channels"/> channels of an h x w image padded by (padH, padW), with slack for whole-vector reads past the last row.</summary>
    public static int PaddedLength(int channels, int h, int w, int padH, int padW) =>
        (channels * (h + (2 * padH)) * (w + (2 * padW))) + (2 * WideLanes) + (2 * padW) + 64;

    /// <summary>
    /// Whether the AVX-512 kernels run (default: when the processor has AVX-512). Tests turn it off to hold the AVX2
    /// kernels to the same results on a machine that has both.
    /// </summary>
    internal static bool UseAvx512 { get; set; } = Avx512F.IsSupported;

    /// <summary>Floats in a vector of the AVX2 kernels.</summary>
    private const int Lanes = 8;

    /// <summary>Floats in a vector of the AVX-512 kernels.</summary>
    private const int WideLanes = 16;

    /// <summary>
    /// Output positions of a row the AVX-512 forward computes at once: four vectors for each of four channels, sixteen
    /// independent sums, enough to keep both fused multiply-add units busy through their latency, and a 64-wide row
    /// (VanillaVAE's last layer) in one strip.
    /// </summary>
    private const int StripLanes = 4 * WideLanes;

    [ThreadStatic]
    private static float[]? t_packedWeights;

    /// <summary>
    /// The calling thread's buffer for four output channels' weights over <paramref name="taps"/> taps, made or grown on
    /// first need. A pass whose samples move between threads (<see cref="ConvWorkspace.TakeUnit"/>) makes it on each
    /// thread before it takes any, so that a sample a thread computes for the first time in a later pass allocates nothing then.
    /// </summary>
    internal static float[] ThreadPackedWeights(int taps) =>
        t_packedWeights is { } cached && cached.Length >= taps * 4 ? cached : (t_packedWeights = new float[taps * 4]);

    /// <summary>
    /// Copies an image [channels, h, w] into the interiors of its padded planes [channels, h + 2 padH, w + 2 padW];
    /// the borders are left as they are (zero: the buffer is fresh and only this method writes it).
    /// </summary>
    public static unsafe void Pad(ReadOnlySpan<float> image, int channels, int h, int w, int padH, int padW, Span<float> padded)
    {
        int ph = h + (2 * padH), pw = w + (2 * padW);
        if (image.Length < channels * h * w || padded.Length < channels * ph * pw)
        {
            throw new ArgumentException("DirectConv.Pad: buffers too small for the planes.");
        }

        fixed (float* src = image)
        fixed (float* dst = padded)
        {
            for (int c = 0; c < channels; c++)
            {
                PlaneRows.Copy(src + ((long)c * h * w), w, dst + ((long)c * ph * pw) + (padH * pw) + padW, pw, h, w);
            }
        }
    }

    /// <summary>
    /// out[o, y, x] = bias[o] + sum over c, i, j of weight(o, c, i, j) * padded[c, y + i, x + j], for an output of
    /// [outChannels, outH, outW] from padded planes of [inChannels, outH + kh - 1, outW + kw - 1].
    /// </summary>
    /// <remarks>
    /// Four output channels at a time, one row vector of 8 positions: per input value loaded, four fused
    /// multiply-adds with broadcast weights, packed for the block so they are read in order. A row's last vector
    /// is computed whole (reading into the next row or the slack) and only its valid lanes are kept, so every
    /// element goes through the same operations.
    /// </remarks>
    /// <param name="padded">The padded input planes.</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="kh">Kernel height.</param>
    /// <param name="kw">Kernel width.</param>
    /// <param name="weight">The weights; <paramref name="weightIndex"/> maps (o, c, i, j) into them.</param>
    /// <param name="weightIndex">The layout of the weights (a convolution's own, or rotated and transposed for its input gradient).</param>
    /// <param name="bias">bias[o], or empty for none.</param>
    /// <param name="output">The output [outChannels, outH, outW], overwritten.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="outH">Output height.</param>
    /// <param name="outW">Output width.</param>
    public static void Correlate<TIndex>(
        ReadOnlySpan<float> padded, int inChannels, int kh, int kw,
        ReadOnlySpan<float> weight, TIndex weightIndex, ReadOnlySpan<float> bias,
        Span<float> output, int outChannels, int outH, int outW)
        where TIndex : struct, IWeightIndex
        => Correlate(padded, inChannels, kh, kw, weight, weightIndex, bias, output, outChannels, outH, outW, 0, outChannels);

    /// <summary>
    /// <see cref="Correlate{TIndex}(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{float}, TIndex, ReadOnlySpan{float}, Span{float}, int, int, int)"/>
    /// for the output channels [<paramref name="firstOut"/>, <paramref name="endOut"/>) only, the rest of the output untouched: threads
    /// that split the channels at multiples of four compute the same blocks, so the same bits, as one thread doing them all.
    /// </summary>
    public static unsafe void Correlate<TIndex>(
        ReadOnlySpan<float> padded, int inChannels, int kh, int kw,
        ReadOnlySpan<float> weight, TIndex weightIndex, ReadOnlySpan<float> bias,
        Span<float> output, int outChannels, int outH, int outW, int firstOut, int endOut)
        where TIndex : struct, IWeightIndex
    {
        int pw = outW + kw - 1, ph = outH + kh - 1, plane = ph * pw, taps = inChannels * kh * kw;
        if (padded.Length < (inChannels * plane) + WideLanes + kw || output.Length < outChannels * outH * outW
            || firstOut % 4 != 0 || firstOut < 0 || endOut > outChannels)
        {
            throw new ArgumentException("DirectConv.Correlate: buffers too small for the geometry, or a channel range not on a block of four.");
        }

        float[] packed = ThreadPackedWeights(taps);
        float* last = stackalloc float[4 * Lanes];
        fixed (float* pp = padded)
        fixed (float* wp0 = packed)
        fixed (float* op = output)
        {
            for (int o0 = firstOut; o0 < endOut; o0 += 4)
            {
                int block = Math.Min(4, endOut - o0);
                PackBlock(weight, weightIndex, o0, block, inChannels, kh, kw, packed);
                if (UseAvx512)
                {
                    CorrelateBlockAvx512(pp, wp0, inChannels, kh, kw, plane, pw, bias, o0, block, op + (o0 * outH * outW), outH, outW);
                    continue;
                }

                Vector256<float> b0 = Start(bias, o0, 0, block), b1 = Start(bias, o0, 1, block), b2 = Start(bias, o0, 2, block), b3 = Start(bias, o0, 3, block);
                for (int y = 0; y < outH; y++)
                {
                    for (int x = 0; x < outW; x += Lanes)
                    {
                        Vector256<float> a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                        float* w = wp0;
                        for (int c = 0; c < inChannels; c++)
                        {
                            float* rows = pp + (c * plane) + (y * pw) + x;
                            for (int i = 0; i < kh; i++)
                            {
                                float* row = rows + (i * pw);
                                for (int j = 0; j < kw; j++)
                                {
                                    Vector256<float> v = Vector256.Load(row + j);
                                    a0 = MultiplyAdd(v, Vector256.Create(w[0]), a0);
                                    a1 = MultiplyAdd(v, Vector256.Create(w[1]), a1);
                                    a2 = MultiplyAdd(v, Vector256.Create(w[2]), a2);
                                    a3 = MultiplyAdd(v, Vector256.Create(w[3]), a3);
                                    w += 4;
                                }
                            }
                        }

                        int valid = Math.Min(Lanes, outW - x);
                        float* o = op + ((((o0 * outH) + y) * outW) + x);
                        if (valid == Lanes)
                        {
                            StoreBlock(o, outH * outW, block, a0, a1, a2, a3);
                        }
                        else
                        {
                            StoreBlock(last, Lanes, 4, a0, a1, a2, a3);
                            for (int k = 0; k < block; k++)
                            {
                                new ReadOnlySpan<float>(last + (k * Lanes), valid).CopyTo(new Span<float>(o + (k * outH * outW), valid));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The weight gradient of one sample, added: grad(o, c, i, j) += sum over y, x of gy[o, y, x] * padded[c, y + i, x + j]
    /// for the input channels [<paramref name="firstChannel"/>, <paramref name="endChannel"/>), and the bias gradient
    /// biasGrad[o] += sum of gy[o] unless <paramref name="biasGrad"/> is empty. Each (o, c) pair is summed on its own,
    /// so threads that split the input channels get the same bits as one thread doing them all.
    /// </summary>
    /// <remarks>One running vector per tap, so each output-gradient vector is loaded once for all kh * kw taps and the sums do not wait on each other.</remarks>
    public static unsafe void AddWeightGradient(
        ReadOnlySpan<float> padded, int inChannels, int kh, int kw,
        ReadOnlySpan<float> gy, int outChannels, int outH, int outW,
        Span<float> weightGrad, Span<float> biasGrad, int firstChannel, int endChannel)
    {
        int pw = outW + kw - 1, ph = outH + kh - 1, plane = ph * pw, area = kh * kw;
        if (padded.Length < (inChannels * plane) + WideLanes + kw || gy.Length < outChannels * outH * outW || weightGrad.Length < outChannels * inChannels * area
            || firstChannel < 0 || endChannel > inChannels)
        {
            throw new ArgumentException("DirectConv.AddWeightGradient: buffers too small for the geometry, or a channel range outside it.");
        }

        float* tailGradient = stackalloc float[3 * WideLanes];
        fixed (float* pp = padded)
        fixed (float* gp = gy)
        {
            if (UseAvx512)
            {
                AddWeightGradientAvx512(pp, plane, pw, kh, kw, gp, outChannels, outH, outW, tailGradient, weightGrad, biasGrad, inChannels, firstChannel, endChannel);
                return;
            }

            Vector256<float>* acc = stackalloc Vector256<float>[area];
            for (int o = 0; o < outChannels; o++)
            {
                float* g = gp + (o * outH * outW);
                if (!biasGrad.IsEmpty)
                {
                    biasGrad[o] += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(g, outH * outW));
                }

                for (int c = firstChannel; c < endChannel; c++)
                {
                    if (kh == 3 && kw == 3)
                    {
                        AddWeightGradient3x3(pp + (c * plane), pw, g, outH, outW, tailGradient, weightGrad.Slice(((o * inChannels) + c) * area, area));
                        continue;
                    }

                    for (int t = 0; t < area; t++)
                    {
                        acc[t] = Vector256<float>.Zero;
                    }

                    for (int y = 0; y < outH; y++)
                    {
                        float* rows = pp + (c * plane) + (y * pw);
                        for (int x = 0; x < outW; x += Lanes)
                        {
                            Vector256<float> gv = LoadGradient(g + (y * outW) + x, Math.Min(Lanes, outW - x), tailGradient);

                            Vector256<float>* a = acc;
                            for (int i = 0; i < kh; i++)
                            {
                                float* row = rows + (i * pw) + x;
                                for (int j = 0; j < kw; j++)
                                {
                                    *a = MultiplyAdd(gv, Vector256.Load(row + j), *a);
                                    a++;
                                }
                            }
                        }
                    }

                    Span<float> grad = weightGrad.Slice(((o * inChannels) + c) * area, area);
                    for (int t = 0; t < area; t++)
                    {
                        grad[t] += Vector256.Sum(acc[t]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="AddWeightGradient"/> for one (output, input) channel pair of a 3x3 kernel, its nine running sums in
    /// registers: held in a stack array, each multiply-add waited on a store and a reload of its own sum
    /// (ConvShapeBenchmarks.FewOutputChannelsDirectAgainstGemm). The same operations in the same order, so the same bits.
    /// </summary>
    private static unsafe void AddWeightGradient3x3(float* plane, int pw, float* g, int outH, int outW, float* tailGradient, Span<float> grad)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default;
        for (int y = 0; y < outH; y++)
        {
            float* rows = plane + (y * pw);
            for (int x = 0; x < outW; x += Lanes)
            {
                Vector256<float> gv = LoadGradient(g + (y * outW) + x, Math.Min(Lanes, outW - x), tailGradient);

                float* r0 = rows + x, r1 = r0 + pw, r2 = r1 + pw;
                a0 = MultiplyAdd(gv, Vector256.Load(r0), a0);
                a1 = MultiplyAdd(gv, Vector256.Load(r0 + 1), a1);
                a2 = MultiplyAdd(gv, Vector256.Load(r0 + 2), a2);
                a3 = MultiplyAdd(gv, Vector256.Load(r1), a3);
                a4 = MultiplyAdd(gv, Vector256.Load(r1 + 1), a4);
                a5 = MultiplyAdd(gv, Vector256.Load(r1 + 2), a5);
                a6 = MultiplyAdd(gv, Vector256.Load(r2), a6);
                a7 = MultiplyAdd(gv, Vector256.Load(r2 + 1), a7);
                a8 = MultiplyAdd(gv, Vector256.Load(r2 + 2), a8);
            }
        }

        grad[0] += Vector256.Sum(a0);
        grad[1] += Vector256.Sum(a1);
        grad[2] += Vector256.Sum(a2);
        grad[3] += Vector256.Sum(a3);
        grad[4] += Vector256.Sum(a4);
        grad[5] += Vector256.Sum(a5);
        grad[6] += Vector256.Sum(a6);
        grad[7] += Vector256.Sum(a7);
        grad[8] += Vector256.Sum(a8);
    }

    /// <summary>
    /// The AVX-512 forward of one block of four output channels: each output element summed as
    /// <see cref="Correlate{TIndex}(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{float}, TIndex, ReadOnlySpan{float}, Span{float}, int, int, int, int, int)"/>'s
    /// AVX2 loop sums it (bias, then input channels, then taps row by row, one fused multiply-add each), so the same bits.
    /// </summary>
    /// <remarks>
    /// The AVX2 loop keeps four sums, one per channel, so each fused multiply-add waits on the one before it, and it
    /// loads a weight for every multiply-add of eight positions. Here a strip of <see cref="StripLanes"/> positions keeps
    /// sixteen: each tap loads four input vectors and four weights for sixteen multiply-adds of sixteen positions.
    /// VanillaVAE's last layer (32 -> 3 channels, 3x3, 64x64, batch 32): ConvShapeBenchmarks.FewOutputChannelsDirectAgainstGemm.
    /// </remarks>
    private static unsafe void CorrelateBlockAvx512(
        float* padded, float* packed, int inChannels, int kh, int kw, int plane, int pw,
        ReadOnlySpan<float> bias, int o0, int block, float* output, int outH, int outW)
    {
        int channelStride = outH * outW;
        Vector512<float> b0 = Start512(bias, o0, 0, block), b1 = Start512(bias, o0, 1, block), b2 = Start512(bias, o0, 2, block), b3 = Start512(bias, o0, 3, block);
        float* last = stackalloc float[4 * WideLanes];
        for (int y = 0; y < outH; y++)
        {
            float* rows = padded + (y * pw);
            float* o = output + (y * outW);
            int x = 0;
            for (; x + StripLanes <= outW; x += StripLanes)
            {
                Vector512<float> a00 = b0, a01 = b0, a02 = b0, a03 = b0, a10 = b1, a11 = b1, a12 = b1, a13 = b1;
                Vector512<float> a20 = b2, a21 = b2, a22 = b2, a23 = b2, a30 = b3, a31 = b3, a32 = b3, a33 = b3;
                float* w = packed;
                for (int c = 0; c < inChannels; c++)
                {
                    for (int i = 0; i < kh; i++)
                    {
                        float* row = rows + (c * plane) + (i * pw) + x;
                        for (int j = 0; j < kw; j++, w += 4)
                        {
                            Vector512<float> v0 = Vector512.Load(row + j), v1 = Vector512.Load(row + j + 16), v2 = Vector512.Load(row + j + 32), v3 = Vector512.Load(row + j + 48);
                            Vector512<float> w0 = Vector512.Create(w[0]);
                            a00 = Avx512F.FusedMultiplyAdd(v0, w0, a00);
                            a01 = Avx512F.FusedMultiplyAdd(v1, w0, a01);
                            a02 = Avx512F.FusedMultiplyAdd(v2, w0, a02);
                            a03 = Avx512F.FusedMultiplyAdd(v3, w0, a03);
                            Vector512<float> w1 = Vector512.Create(w[1]);
                            a10 = Avx512F.FusedMultiplyAdd(v0, w1, a10);
                            a11 = Avx512F.FusedMultiplyAdd(v1, w1, a11);
                            a12 = Avx512F.FusedMultiplyAdd(v2, w1, a12);
                            a13 = Avx512F.FusedMultiplyAdd(v3, w1, a13);
                            Vector512<float> w2 = Vector512.Create(w[2]);
                            a20 = Avx512F.FusedMultiplyAdd(v0, w2, a20);
                            a21 = Avx512F.FusedMultiplyAdd(v1, w2, a21);
                            a22 = Avx512F.FusedMultiplyAdd(v2, w2, a22);
                            a23 = Avx512F.FusedMultiplyAdd(v3, w2, a23);
                            Vector512<float> w3 = Vector512.Create(w[3]);
                            a30 = Avx512F.FusedMultiplyAdd(v0, w3, a30);
                            a31 = Avx512F.FusedMultiplyAdd(v1, w3, a31);
                            a32 = Avx512F.FusedMultiplyAdd(v2, w3, a32);
                            a33 = Avx512F.FusedMultiplyAdd(v3, w3, a33);
                        }
                    }
                }

                StoreStrip(o + x, a00, a01, a02, a03);
                if (block > 1)
                {
                    StoreStrip(o + channelStride + x, a10, a11, a12, a13);
                }

                if (block > 2)
                {
                    StoreStrip(o + (2 * channelStride) + x, a20, a21, a22, a23);
                }

                if (block > 3)
                {
                    StoreStrip(o + (3 * channelStride) + x, a30, a31, a32, a33);
                }
            }

            // What is left of the row, a vector at a time; its last vector is computed whole (reading into the next
            // row or the slack) and only its valid lanes kept.
            for (; x < outW; x += WideLanes)
            {
                Vector512<float> a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                float* w = packed;
                for (int c = 0; c < inChannels; c++)
                {
                    for (int i = 0; i < kh; i++)
                    {
                        float* row = rows + (c * plane) + (i * pw) + x;
                        for (int j = 0; j < kw; j++, w += 4)
                        {
                            Vector512<float> v = Vector512.Load(row + j);
                            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[0]), a0);
                            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[1]), a1);
                            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[2]), a2);
                            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[3]), a3);
                        }
                    }
                }

                int valid = Math.Min(WideLanes, outW - x);
                a0.Store(last);
                a1.Store(last + WideLanes);
                a2.Store(last + (2 * WideLanes));
                a3.Store(last + (3 * WideLanes));
                for (int k = 0; k < block; k++)
                {
                    new ReadOnlySpan<float>(last + (k * WideLanes), valid).CopyTo(new Span<float>(o + (k * channelStride) + x, valid));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreStrip(float* o, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        a0.Store(o);
        a1.Store(o + 16);
        a2.Store(o + 32);
        a3.Store(o + 48);
    }

    private static Vector512<float> Start512(ReadOnlySpan<float> bias, int o0, int k, int block) =>
        k < block && !bias.IsEmpty ? Vector512.Create(bias[o0 + k]) : Vector512<float>.Zero;

    /// <summary>
    /// The AVX-512 weight gradient of a sample (see <see cref="AddWeightGradient"/>): a 3x3 kernel's output channels go
    /// three at a time, the rest one at a time. Every (output, input) channel pair has its own running sums either way,
    /// so the grouping does not change the bits.
    /// </summary>
    /// <remarks>
    /// One output channel at a time, each multiply-add loads its input vector, most of them across a cache line
    /// (taps one and two floats to the right), and the loads, not the multiply-adds, set the pace: 5.4-5.6 ms of
    /// VanillaVAE's last layer's backward. Three output channels share each input load.
    /// </remarks>
    private static unsafe void AddWeightGradientAvx512(
        float* padded, int plane, int pw, int kh, int kw, float* gy, int outChannels, int outH, int outW, float* tailGradient,
        Span<float> weightGrad, Span<float> biasGrad, int inChannels, int firstChannel, int endChannel)
    {
        int area = kh * kw, outArea = outH * outW;
        if (!biasGrad.IsEmpty)
        {
            for (int o = 0; o < outChannels; o++)
            {
                biasGrad[o] += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(gy + (o * outArea), outArea));
            }
        }

        for (int c = firstChannel; c < endChannel; c++)
        {
            int o = 0;
            if (kh == 3 && kw == 3)
            {
                for (; o + 3 <= outChannels; o += 3)
                {
                    AddTripleGradient3x3Avx512(
                        padded + (c * plane), pw, gy + (o * outArea), outArea, outH, outW, tailGradient,
                        weightGrad.Slice(((o * inChannels) + c) * area, area), weightGrad.Slice((((o + 1) * inChannels) + c) * area, area),
                        weightGrad.Slice((((o + 2) * inChannels) + c) * area, area));
                }
            }

            for (; o < outChannels; o++)
            {
                AddPairGradientAvx512(padded + (c * plane), pw, kh, kw, gy + (o * outArea), outH, outW, tailGradient, weightGrad.Slice(((o * inChannels) + c) * area, area));
            }
        }
    }

    /// <summary>
    /// The 3x3 weight gradients of one input channel for three consecutive output channels (gradients g, g + outArea,
    /// g + 2 outArea): 27 running sums in registers, each input vector loaded once for three multiply-adds.
    /// </summary>
    private static unsafe void AddTripleGradient3x3Avx512(
        float* plane, int pw, float* g, int outArea, int outH, int outW, float* tails, Span<float> grad0, Span<float> grad1, Span<float> grad2)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default, b8 = default;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default, c8 = default;
        for (int y = 0; y < outH; y++)
        {
            float* rows = plane + (y * pw);
            for (int x = 0; x < outW; x += WideLanes)
            {
                int valid = Math.Min(WideLanes, outW - x);
                float* at = g + (y * outW) + x;
                Vector512<float> ga = LoadGradient512(at, valid, tails);
                Vector512<float> gb = LoadGradient512(at + outArea, valid, tails + WideLanes);
                Vector512<float> gc = LoadGradient512(at + (2 * outArea), valid, tails + (2 * WideLanes));
                float* r0 = rows + x, r1 = r0 + pw, r2 = r1 + pw;
                Vector512<float> v = Vector512.Load(r0);
                a0 = Avx512F.FusedMultiplyAdd(ga, v, a0);
                b0 = Avx512F.FusedMultiplyAdd(gb, v, b0);
                c0 = Avx512F.FusedMultiplyAdd(gc, v, c0);
                v = Vector512.Load(r0 + 1);
                a1 = Avx512F.FusedMultiplyAdd(ga, v, a1);
                b1 = Avx512F.FusedMultiplyAdd(gb, v, b1);
                c1 = Avx512F.FusedMultiplyAdd(gc, v, c1);
                v = Vector512.Load(r0 + 2);
                a2 = Avx512F.FusedMultiplyAdd(ga, v, a2);
                b2 = Avx512F.FusedMultiplyAdd(gb, v, b2);
                c2 = Avx512F.FusedMultiplyAdd(gc, v, c2);
                v = Vector512.Load(r1);
                a3 = Avx512F.FusedMultiplyAdd(ga, v, a3);
                b3 = Avx512F.FusedMultiplyAdd(gb, v, b3);
                c3 = Avx512F.FusedMultiplyAdd(gc, v, c3);
                v = Vector512.Load(r1 + 1);
                a4 = Avx512F.FusedMultiplyAdd(ga, v, a4);
                b4 = Avx512F.FusedMultiplyAdd(gb, v, b4);
                c4 = Avx512F.FusedMultiplyAdd(gc, v, c4);
                v = Vector512.Load(r1 + 2);
                a5 = Avx512F.FusedMultiplyAdd(ga, v, a5);
                b5 = Avx512F.FusedMultiplyAdd(gb, v, b5);
                c5 = Avx512F.FusedMultiplyAdd(gc, v, c5);
                v = Vector512.Load(r2);
                a6 = Avx512F.FusedMultiplyAdd(ga, v, a6);
                b6 = Avx512F.FusedMultiplyAdd(gb, v, b6);
                c6 = Avx512F.FusedMultiplyAdd(gc, v, c6);
                v = Vector512.Load(r2 + 1);
                a7 = Avx512F.FusedMultiplyAdd(ga, v, a7);
                b7 = Avx512F.FusedMultiplyAdd(gb, v, b7);
                c7 = Avx512F.FusedMultiplyAdd(gc, v, c7);
                v = Vector512.Load(r2 + 2);
                a8 = Avx512F.FusedMultiplyAdd(ga, v, a8);
                b8 = Avx512F.FusedMultiplyAdd(gb, v, b8);
                c8 = Avx512F.FusedMultiplyAdd(gc, v, c8);
            }
        }

        AddSums(grad0, a0, a1, a2, a3, a4, a5, a6, a7, a8);
        AddSums(grad1, b0, b1, b2, b3, b4, b5, b6, b7, b8);
        AddSums(grad2, c0, c1, c2, c3, c4, c5, c6, c7, c8);
    }

    private static void AddSums(
        Span<float> grad, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, Vector512<float> s4,
        Vector512<float> s5, Vector512<float> s6, Vector512<float> s7, Vector512<float> s8)
    {
        grad[0] += Vector512.Sum(s0);
        grad[1] += Vector512.Sum(s1);
        grad[2] += Vector512.Sum(s2);
        grad[3] += Vector512.Sum(s3);
        grad[4] += Vector512.Sum(s4);
        grad[5] += Vector512.Sum(s5);
        grad[6] += Vector512.Sum(s6);
        grad[7] += Vector512.Sum(s7);
        grad[8] += Vector512.Sum(s8);
    }

    /// <summary>
    /// The AVX-512 weight gradient of one (output, input) channel pair, added to its kh * kw values: sixteen positions
    /// at a time, one running sum per tap (a 3x3 kernel's nine in registers).
    /// </summary>
    private static unsafe void AddPairGradientAvx512(float* plane, int pw, int kh, int kw, float* g, int outH, int outW, float* tailGradient, Span<float> grad)
    {
        if (kh == 3 && kw == 3)
        {
            AddPairGradient3x3Avx512(plane, pw, g, outH, outW, tailGradient, grad);
            return;
        }

        int area = kh * kw;
        Vector512<float>* acc = stackalloc Vector512<float>[area];
        for (int t = 0; t < area; t++)
        {
            acc[t] = Vector512<float>.Zero;
        }

        for (int y = 0; y < outH; y++)
        {
            float* rows = plane + (y * pw);
            for (int x = 0; x < outW; x += WideLanes)
            {
                Vector512<float> gv = LoadGradient512(g + (y * outW) + x, Math.Min(WideLanes, outW - x), tailGradient);
                Vector512<float>* a = acc;
                for (int i = 0; i < kh; i++)
                {
                    float* row = rows + (i * pw) + x;
                    for (int j = 0; j < kw; j++, a++)
                    {
                        *a = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(row + j), *a);
                    }
                }
            }
        }

        for (int t = 0; t < area; t++)
        {
            grad[t] += Vector512.Sum(acc[t]);
        }
    }

    private static unsafe void AddPairGradient3x3Avx512(float* plane, int pw, float* g, int outH, int outW, float* tailGradient, Span<float> grad)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default;
        for (int y = 0; y < outH; y++)
        {
            float* rows = plane + (y * pw);
            for (int x = 0; x < outW; x += WideLanes)
            {
                Vector512<float> gv = LoadGradient512(g + (y * outW) + x, Math.Min(WideLanes, outW - x), tailGradient);
                float* r0 = rows + x, r1 = r0 + pw, r2 = r1 + pw;
                a0 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r0), a0);
                a1 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r0 + 1), a1);
                a2 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r0 + 2), a2);
                a3 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r1), a3);
                a4 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r1 + 1), a4);
                a5 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r1 + 2), a5);
                a6 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r2), a6);
                a7 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r2 + 1), a7);
                a8 = Avx512F.FusedMultiplyAdd(gv, Vector512.Load(r2 + 2), a8);
            }
        }

        AddSums(grad, a0, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    /// <summary><see cref="LoadGradient"/> for the AVX-512 kernels: lanes past the row's end are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> LoadGradient512(float* g, int valid, float* tail)
    {
        if (valid == WideLanes)
        {
            return Vector512.Load(g);
        }

        CopyTail(g, valid, tail, WideLanes);
        return Vector512.Load(tail);
    }

    /// <summary>
    /// tail[0..valid) = g[0..valid), tail[valid..lanes) = 0, element by element: a call here (Span.CopyTo) made the JIT
    /// keep the weight-gradient kernels' running sums on the stack across their whole loop, several times slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyTail(float* g, int valid, float* tail, int lanes)
    {
        for (int k = 0; k < lanes; k++)
        {
            tail[k] = k < valid ? g[k] : 0f;
        }
    }

    /// <summary>
    /// A row vector of the output gradient; past the row's end (fewer than <see cref="Lanes"/> valid values) the lanes
    /// are zero, so their products vanish whatever the input there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> LoadGradient(float* g, int valid, float* tail)
    {
        if (valid == Lanes)
        {
            return Vector256.Load(g);
        }

        CopyTail(g, valid, tail, Lanes);
        return Vector256.Load(tail);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>packed[((c * kh + i) * kw + j) * 4 + k] = weight(o0 + k, c, i, j), zero for k past the block.</summary>
    private static void PackBlock<TIndex>(ReadOnlySpan<float> weight, TIndex index, int o0, int block, int inChannels, int kh, int kw, float[] packed)
        where TIndex : struct, IWeightIndex
    {
        int t = 0;
        for (int c = 0; c < inChannels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                for (int j = 0; j < kw; j++)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        packed[t++] = k < block ? weight[index.Of(o0 + k, c, i, j)] : 0f;
                    }
                }
            }
        }
    }

    private static unsafe void StoreBlock(float* o, int channelStride, int block, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        a0.Store(o);
        if (block > 1)
        {
            a1.Store(o + channelStride);
        }

        if (block > 2)
        {
            a2.Store(o + (2 * channelStride));
        }

        if (block > 3)
        {
            a3.Store(o + (3 * channelStride));
        }
    }

    private static Vector256<float> Start(ReadOnlySpan<float> bias, int o0, int k, int block) =>
        k < block && !bias.IsEmpty ? Vector256.Create(bias[o0 + k]) : Vector256<float>.Zero;

    /// <summary>Where weight (o, c, i, j) of a correlation is stored.</summary>
    public interface IWeightIndex
    {
        int Of(int o, int c, int i, int j);
    }

    /// <summary>A convolution's own weight [out, in, kh, kw].</summary>
    public readonly struct ConvWeight : IWeightIndex
    {
        private readonly int _in, _kh, _kw;

        public ConvWeight(int inChannels, int kh, int kw) => (_in, _kh, _kw) = (inChannels, kh, kw);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Of(int o, int c, int i, int j) => (((((o * _in) + c) * _kh) + i) * _kw) + j;
    }

    /// <summary>
    /// The same weight seen by the input gradient, a correlation of the output gradient (its channels are the
    /// convolution's outputs, c) giving the convolution's inputs (o): weight[c, o, kh - 1 - i, kw - 1 - j].
    /// </summary>
    public readonly struct RotatedTransposedWeight : IWeightIndex
    {
        private readonly int _in, _kh, _kw;

        public RotatedTransposedWeight(int convInChannels, int kh, int kw) => (_in, _kh, _kw) = (convInChannels, kh, kw);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Of(int o, int c, int i, int j) => (((((c * _in) + o) * _kh) + (_kh - 1 - i)) * _kw) + (_kw - 1 - j);
    }
}
