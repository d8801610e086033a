using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// 2-D max pooling as <c>torch.nn.MaxPool2d</c> (kernel, stride, padding, dilation, ceil_mode).
/// Padding never wins the max; ties go to the first position in the window and NaN propagates (the last NaN wins),
/// as in PyTorch, and the gradient flows to that one position.
/// </summary>
public sealed class MaxPool2d : PlaneLayer
{
    private int[] _argmax = Array.Empty<int>();

    /// <summary>The offset in a plane of each output's top-left input for a 2x2, stride-2 window, for <see cref="GatheredWindows"/>.</summary>
    private int[] _corners = Array.Empty<int>();

    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window (h, w).</param>
    /// <param name="stride">Stride (h, w); defaults to the kernel size, as in PyTorch.</param>
    /// <param name="padding">Implicit -inf padding (h, w); at most half the kernel.</param>
    /// <param name="dilation">Spacing between window elements.</param>
    /// <param name="ceilMode">Use ceil instead of floor for the output size.</param>
    public MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null, bool ceilMode = false)
    {
        KernelSize = kernelSize.RequireAtLeast(1, nameof(kernelSize));
        Stride = (stride ?? kernelSize).RequireAtLeast(1, nameof(stride));
        Padding = (padding ?? 0).RequireAtLeast(0, nameof(padding));
        Dilation = (dilation ?? 1).RequireAtLeast(1, nameof(dilation));
        CeilMode = ceilMode;
    }

    /// <summary>Window (h, w).</summary>
    public Size2d KernelSize { get; }

    /// <summary>Stride (h, w).</summary>
    public Size2d Stride { get; }

    /// <summary>Padding (h, w).</summary>
    public Size2d Padding { get; }

    /// <summary>Dilation (h, w).</summary>
    public Size2d Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    public override Size2d OutputSize(int inH, int inW) => new(
        PoolShape.Output(inH, KernelSize.H, Stride.H, Padding.H, Dilation.H, CeilMode),
        PoolShape.Output(inW, KernelSize.W, Stride.W, Padding.W, Dilation.W, CeilMode));

    /// <inheritdoc />
    protected override void CheckOutputSize(Size2d output, int inH, int inW) =>
        PoolShape.Check(nameof(MaxPool2d), KernelSize, Padding, output.H, output.W, inH, inW);

    /// <inheritdoc />
    protected override bool ProcessesPlaneRanges => true;

    /// <inheritdoc />
    protected override void OnInputShapeChanged(PlaneShape planes)
    {
        // Made here, on the calling thread, before any part of a split forward runs.
        if (_argmax.Length != planes.Count * planes.OutArea)
        {
            _argmax = new int[planes.Count * planes.OutArea];
        }

        _corners = new int[planes.OutArea];
        for (int q = 0; q < planes.OutArea; q++)
        {
            _corners[q] = (2 * (q / planes.OutW) * planes.InW) + (2 * (q % planes.OutW));
        }
    }

    /// <inheritdoc />
    protected override void ForwardPlanes(float[] x, float[] y, PlaneShape planes)
    {
        if (KernelSize == new Size2d(2, 2) && Stride == new Size2d(2, 2) && Padding == new Size2d(0, 0) && Dilation == new Size2d(1, 1)
            && 2 * planes.OutH <= planes.InH && 2 * planes.OutW <= planes.InW)
        {
            Pool2x2(x, y, _argmax, _corners, planes);
        }
        else
        {
            Pool(x, y, planes);
        }
    }

    /// <inheritdoc />
    protected override void BackwardPlanes(float[] gy, float[] gx, PlaneShape planes)
    {
        // The gradient flows to the one position each window chose.
        for (int p = planes.First; p < planes.End; p++)
        {
            int inBase = p * planes.InArea;
            int outBase = p * planes.OutArea;
            for (int q = 0; q < planes.OutArea; q++)
            {
                gx[inBase + _argmax[outBase + q]] += gy[outBase + q];
            }
        }
    }

    /// <summary>
    /// The common 2x2, stride-2 window, every window inside the input: the same comparisons in the
    /// same order as <see cref="Pool"/>, without its per-tap bounds checks and loop bookkeeping;
    /// with AVX-512 or AVX2, 16 or 8 windows of a row at a time, the last block of a row overlapping
    /// the one before it (a window computed twice is the same bits twice); rows of fewer than 8 windows
    /// (a 14x14 map) 8 windows of the plane at a time, gathered.
    /// </summary>
    private static unsafe void Pool2x2(float[] x, float[] y, int[] argmax, int[] corners, PlaneShape shape)
    {
        (_, int inH, int inW, int outH, int outW) = shape;
        int block = VectorWindows;
        if (block == 16 && outW < 16)
        {
            block = 8;
        }

        if (outW < block)
        {
            block = 0;
        }

        bool gather = block == 0 && VectorWindows >= 8 && shape.OutArea >= 8;
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* ap = argmax)
        fixed (int* cp = corners)
        {
            for (int p = shape.First; p < shape.End; p++)
            {
                float* plane = xp + ((long)p * inH * inW);
                if (gather)
                {
                    long at0 = (long)p * shape.OutArea;
                    for (int q = 0; q < shape.OutArea; q += 8)
                    {
                        int at = Math.Min(q, shape.OutArea - 8);
                        GatheredWindows(plane, cp + at, inW, yp + at0 + at, ap + at0 + at);
                    }

                    continue;
                }

                for (int oh = 0; oh < outH; oh++)
                {
                    int top = 2 * oh * inW;
                    long row = ((long)p * shape.OutArea) + (oh * outW);
                    float* dst = yp + row;
                    int* arg = ap + row;
                    if (block != 0)
                    {
                        for (int ow = 0; ow < outW; ow += block)
                        {
                            int at = Math.Min(ow, outW - block);
                            if (block == 16)
                            {
                                SixteenWindows(plane, top + (2 * at), inW, dst + at, arg + at);
                            }
                            else
                            {
                                EightWindows(plane, top + (2 * at), inW, dst + at, arg + at);
                            }
                        }

                        continue;
                    }

                    for (int ow = 0; ow < outW; ow++)
                    {
                        int i = top + (2 * ow);
                        float best = plane[i];
                        int bestIndex = i;
                        Take(plane[i + 1], i + 1, ref best, ref bestIndex);
                        Take(plane[i + inW], i + inW, ref best, ref bestIndex);
                        Take(plane[i + inW + 1], i + inW + 1, ref best, ref bestIndex);
                        dst[ow] = best;
                        arg[ow] = bestIndex;
                    }
                }
            }
        }

        static void Take(float v, int index, ref float best, ref int bestIndex)
        {
            if (v > best || float.IsNaN(v))
            {
                best = v;
                bestIndex = index;
            }
        }
    }

    /// <summary>
    /// How many 2x2 windows <see cref="Pool2x2"/> takes at a time: 16 with AVX-512, 8 with AVX2, else 0 (one by one). Tests set it
    /// lower to compare each width with the scalar loop, whose data-dependent branches mispredict on real activations.
    /// </summary>
    internal static int VectorWindows { get; set; } = Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 0;

    /// <summary>
    /// The 16 windows whose top-left inputs are plane[i], plane[i + 2], ..., plane[i + 30]: the even and odd columns of
    /// the two rows taken apart, then the scalar loop's three steps, each a lane-wise "v &gt; best or v is NaN".
    /// </summary>
    private static unsafe void SixteenWindows(float* plane, int i, int inW, float* dst, int* arg)
    {
        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odd = even + Vector512<int>.One;
        float* top = plane + i, bottom = top + inW;
        Vector512<float> top0 = Avx512F.LoadVector512(top), top1 = Avx512F.LoadVector512(top + 16);
        Vector512<float> bottom0 = Avx512F.LoadVector512(bottom), bottom1 = Avx512F.LoadVector512(bottom + 16);
        Vector512<int> first = Vector512.Create(i) + even;
        Vector512<float> best = Avx512F.PermuteVar16x32x2(top0, even, top1);
        Vector512<int> index = first;
        Take(Avx512F.PermuteVar16x32x2(top0, odd, top1), first + Vector512<int>.One, ref best, ref index);
        Take(Avx512F.PermuteVar16x32x2(bottom0, even, bottom1), first + Vector512.Create(inW), ref best, ref index);
        Take(Avx512F.PermuteVar16x32x2(bottom0, odd, bottom1), first + Vector512.Create(inW + 1), ref best, ref index);
        Avx512F.Store(dst, best);
        Avx512F.Store(arg, index);

        static void Take(Vector512<float> v, Vector512<int> at, ref Vector512<float> best, ref Vector512<int> index)
        {
            Vector512<float> wins = Vector512.GreaterThan(v, best) | ~Vector512.Equals(v, v);
            best = Vector512.ConditionalSelect(wins, v, best);
            index = Vector512.ConditionalSelect(wins.AsInt32(), at, index);
        }
    }

    /// <summary>
    /// <see cref="SixteenWindows"/> for 8 windows with AVX2: a shuffle within 128-bit halves and a swap of the middle
    /// quarters take the even and odd columns apart.
    /// </summary>
    private static unsafe void EightWindows(float* plane, int i, int inW, float* dst, int* arg)
    {
        float* top = plane + i, bottom = top + inW;
        Vector256<float> top0 = Avx.LoadVector256(top), top1 = Avx.LoadVector256(top + 8);
        Vector256<float> bottom0 = Avx.LoadVector256(bottom), bottom1 = Avx.LoadVector256(bottom + 8);
        Vector256<int> first = Vector256.Create(i) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        Vector256<float> best = Even(top0, top1);
        Vector256<int> index = first;
        Take256(Odd(top0, top1), first + Vector256<int>.One, ref best, ref index);
        Take256(Even(bottom0, bottom1), first + Vector256.Create(inW), ref best, ref index);
        Take256(Odd(bottom0, bottom1), first + Vector256.Create(inW + 1), ref best, ref index);
        Avx.Store(dst, best);
        Avx.Store(arg, index);

        // [a0 a2 b0 b2 | a4 a6 b4 b6], then quarters 0 2 1 3: a0 a2 a4 a6 b0 b2 b4 b6.
        static Vector256<float> Even(Vector256<float> a, Vector256<float> b) =>
            Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

        static Vector256<float> Odd(Vector256<float> a, Vector256<float> b) =>
            Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
    }

    /// <summary>8 windows anywhere in a plane, their top-left inputs at plane[corners[0..8]], gathered.</summary>
    private static unsafe void GatheredWindows(float* plane, int* corners, int inW, float* dst, int* arg)
    {
        Vector256<int> first = Avx.LoadVector256(corners);
        Vector256<float> best = Avx2.GatherVector256(plane, first, 4);
        Vector256<int> index = first;
        Take256(Avx2.GatherVector256(plane + 1, first, 4), first + Vector256<int>.One, ref best, ref index);
        Take256(Avx2.GatherVector256(plane + inW, first, 4), first + Vector256.Create(inW), ref best, ref index);
        Take256(Avx2.GatherVector256(plane + inW + 1, first, 4), first + Vector256.Create(inW + 1), ref best, ref index);
        Avx.Store(dst, best);
        Avx.Store(arg, index);
    }

    /// <summary>The scalar loop's step on 8 lanes: where v &gt; best or v is NaN, v and its position win.</summary>
    private static void Take256(Vector256<float> v, Vector256<int> at, ref Vector256<float> best, ref Vector256<int> index)
    {
        Vector256<float> wins = Vector256.GreaterThan(v, best) | ~Vector256.Equals(v, v);
        best = Vector256.ConditionalSelect(wins, v, best);
        index = Vector256.ConditionalSelect(wins.AsInt32(), at, index);
    }

    // A plain scan for every other window: branch-free variants (maxss plus an index pass) measured no faster
    // here, so the clear version stays (see ElementwiseBenchmarks).
    private void Pool(float[] x, float[] y, PlaneShape shape)
    {
        (_, int inH, int inW, int outH, int outW) = shape;
        int inArea = shape.InArea;
        int outArea = shape.OutArea;
        for (int p = shape.First; p < shape.End; p++)
        {
            int inBase = p * inArea;
            int outBase = p * outArea;
            for (int oh = 0; oh < outH; oh++)
            {
                int h0 = (oh * Stride.H) - Padding.H;
                for (int ow = 0; ow < outW; ow++)
                {
                    int w0 = (ow * Stride.W) - Padding.W;
                    float best = float.NegativeInfinity;
                    int bestIndex = -1;
                    for (int i = 0; i < KernelSize.H; i++)
                    {
                        int ih = h0 + (i * Dilation.H);
                        if ((uint)ih >= (uint)inH)
                        {
                            continue;
                        }

                        for (int j = 0; j < KernelSize.W; j++)
                        {
                            int iw = w0 + (j * Dilation.W);
                            if ((uint)iw >= (uint)inW)
                            {
                                continue;
                            }

                            // PyTorch's rule: strictly greater wins (ties keep the first), and so does
                            // NaN, so the last NaN in the window is the one chosen.
                            int index = (ih * inW) + iw;
                            float v = x[inBase + index];
                            if (v > best || float.IsNaN(v) || bestIndex < 0)
                            {
                                best = v;
                                bestIndex = index;
                            }
                        }
                    }

                    y[outBase + (oh * outW) + ow] = best;
                    _argmax[outBase + (oh * outW) + ow] = bestIndex;
                }
            }
        }
    }
}
