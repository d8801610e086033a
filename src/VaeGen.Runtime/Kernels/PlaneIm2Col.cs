using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// im2col and col2im (same layouts as <see cref="Im2Col"/>) through a zero-padded copy of one
/// channel plane, which is what makes them fast on the short rows of VAE feature maps.
/// </summary>
/// <remarks>
/// <para>
/// With the padding materialised, every window row reads a full output row with no bounds checks
/// or edge cases, so a row of a stride-1 or stride-2 convolution is one or two vector loads (and a
/// lane permute for stride 2) and one vector store, whatever its width (7 for a 7x7 output). The
/// plain <see cref="Im2Col"/> loops spend most of their time on per-element edge handling there
/// (SgemmBenchmarks.Conv2dForwardParts: im2col and col2im each took as long as the GEMM).
/// </para>
/// <para>
/// Stores are full vectors, so a row may write up to <see cref="ColumnSlack"/> floats past its
/// last output position. Callers lay columns out so that this spill lands in memory written
/// later (the next output row, or the next sample of the same column row when samples are
/// gathered in increasing order) or in the slack at the end of each column row.
/// </para>
/// </remarks>
internal static unsafe class PlaneIm2Col
{
    /// <summary>Extra floats each column row needs after its last sample, for vector spill.</summary>
    public const int ColumnSlack = 16;

    /// <summary>
    /// Whether <see cref="Scatter"/> sums maps at most 16 wide in registers (<see cref="ScatterInRegisters"/>) rather
    /// than through the padded plane. Both give the same bits; the switch is for ConvKernelTests and
    /// ConvShapeBenchmarks.ScatterOnSmallMaps, which compare them.
    /// </summary>
    internal static bool ScatterSmallMapsInRegisters { get; set; } = true;

    /// <summary>Row stride of the padded plane.</summary>
    public static int PlaneStride(in ConvGeometry g) => g.InW + (2 * g.PadW);

    /// <summary>Floats a padded-plane scratch buffer needs, including room for vector over-reads and over-writes.</summary>
    public static int PlaneLength(in ConvGeometry g)
    {
        int rows = g.InH + (2 * g.PadH);
        int chunks = (g.OutW + 15) / 16;
        return (rows * PlaneStride(g)) + ((g.KernelW - 1) * g.DilationW) + (chunks * 16 * Math.Max(2, g.StrideW)) + 16;
    }

    /// <summary>Floats a column buffer for <paramref name="rows"/> rows of stride <paramref name="ld"/> needs.</summary>
    public static long ColumnLength(int rows, int ld) => (long)rows * ld;

    /// <summary>
    /// Writes the columns of one image ([channels, inH, inW]) at column offset <paramref name="col0"/>
    /// of a [channels * kh * kw, ld] matrix. <paramref name="plane"/> must be zero outside its
    /// interior (a fresh array, and only this method writes it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(ReadOnlySpan<float> image, int channels, in ConvGeometry g, Span<float> columns, int ld, int col0, Span<float> plane)
    {
        int wp = PlaneStride(g);
        int area = g.OutArea;
        if (image.Length < channels * g.InArea || plane.Length < PlaneLength(g) || ld < col0 + area
            || columns.Length < ColumnLength(channels * g.KernelArea, ld))
        {
            throw new ArgumentException("PlaneIm2Col.Gather: buffers too small for the geometry.");
        }

        bool vector = Avx512F.IsSupported && (g.StrideW == 1 || g.StrideW == 2) && col0 + area + ColumnSlack <= ld;
        Vector512<int> pair = vector && g.OutW <= 8 ? PairIndex(g.StrideW, g.OutW) : default;
        int taps = g.KernelArea * area;
        int* table = stackalloc int[UseTable(g) ? taps : 0];
        if (UseTable(g))
        {
            FillTable(g, wp, table);
        }

        fixed (float* imageBase = image)
        fixed (float* colBase = columns)
        fixed (float* pad = plane)
        {
            for (int c = 0; c < channels; c++)
            {
                float* src = imageBase + ((long)c * g.InArea);
                float* interior = pad + (g.PadH * wp) + g.PadW;
                PlaneRows.Copy(src, g.InW, interior, wp, g.InH, g.InW);
                if (UseTable(g))
                {
                    float* dst = colBase + ((long)c * g.KernelArea * ld) + col0;
                    for (int r = 0, t = 0; r < g.KernelArea; r++, dst += ld)
                    {
                        for (int q = 0; q < area; q++, t++)
                        {
                            dst[q] = pad[table[t]];
                        }
                    }

                    continue;
                }

                for (int ki = 0; ki < g.KernelH; ki++)
                {
                    for (int kj = 0; kj < g.KernelW; kj++)
                    {
                        int row = (((c * g.KernelH) + ki) * g.KernelW) + kj;
                        float* dst = colBase + ((long)row * ld) + col0;
                        float* first = pad + (ki * g.DilationH * wp) + (kj * g.DilationW);
                        if (vector)
                        {
                            GatherRowsAvx512(first, g.StrideH * wp, g.StrideW, dst, g.OutH, g.OutW, pair);
                        }
                        else
                        {
                            GatherRowsScalar(first, g.StrideH * wp, g.StrideW, dst, g.OutH, g.OutW);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Gather"/>: sums the column entries of one image back onto its
    /// positions and <b>overwrites</b> the image ([channels, inH, inW]) with the sums, plus
    /// <paramref name="bias"/>[c] on channel c when given. Positions no window reaches become 0
    /// (or the bias). <paramref name="plane"/> is scratch of <see cref="PlaneLength"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scatter(ReadOnlySpan<float> columns, int ld, int col0, int channels, in ConvGeometry g, Span<float> image, Span<float> plane, ReadOnlySpan<float> bias)
    {
        int wp = PlaneStride(g);
        int area = g.OutArea;
        if (image.Length < channels * g.InArea || plane.Length < PlaneLength(g) || ld < col0 + area
            || columns.Length < ColumnLength(channels * g.KernelArea, ld) || (!bias.IsEmpty && bias.Length < channels))
        {
            throw new ArgumentException("PlaneIm2Col.Scatter: buffers too small for the geometry.");
        }

        if (ScatterSmallMapsInRegisters && UsesRegisterRows(g) && col0 + area + ColumnSlack <= ld)
        {
            fixed (float* colBase = columns)
            fixed (float* imageBase = image)
            {
                ScatterInRegisters(colBase + col0, ld, channels, g, imageBase, bias);
            }

            return;
        }

        // Vector rows read (and mask off) up to 15 floats past the row's end.
        bool vector = Avx512F.IsSupported && (g.StrideW == 1 || g.StrideW == 2) && col0 + area + ColumnSlack <= ld;
        int taps = g.KernelArea * area;
        int* table = stackalloc int[UseTable(g) ? taps : 0];
        if (UseTable(g))
        {
            FillTable(g, wp, table);
        }

        fixed (float* colBase = columns)
        fixed (float* imageBase = image)
        fixed (float* pad = plane)
        {
            // Only the table path is confined to the padded plane; vector rows also touch the slack.
            int planeLength = UseTable(g) ? (g.InH + (2 * g.PadH)) * wp : PlaneLength(g);
            for (int c = 0; c < channels; c++)
            {
                new Span<float>(pad, planeLength).Clear();
                if (UseTable(g))
                {
                    float* src = colBase + ((long)c * g.KernelArea * ld) + col0;
                    for (int r = 0, t = 0; r < g.KernelArea; r++, src += ld)
                    {
                        for (int q = 0; q < area; q++, t++)
                        {
                            pad[table[t]] += src[q];
                        }
                    }
                }
                else
                {
                    for (int ki = 0; ki < g.KernelH; ki++)
                    {
                        for (int kj = 0; kj < g.KernelW; kj++)
                        {
                            int row = (((c * g.KernelH) + ki) * g.KernelW) + kj;
                            float* src = colBase + ((long)row * ld) + col0;
                            float* first = pad + (ki * g.DilationH * wp) + (kj * g.DilationW);
                            if (vector)
                            {
                                ScatterRowsAvx512(src, first, g.StrideH * wp, g.StrideW, g.OutH, g.OutW);
                            }
                            else
                            {
                                ScatterRowsScalar(src, first, g.StrideH * wp, g.StrideW, g.OutH, g.OutW);
                            }
                        }
                    }
                }

                float* interior = pad + (g.PadH * wp) + g.PadW;
                float* dst = imageBase + ((long)c * g.InArea);
                if (bias.IsEmpty)
                {
                    PlaneRows.Copy(interior, wp, dst, g.InW, g.InH, g.InW);
                }
                else
                {
                    PlaneRows.Add(interior, wp, dst, g.InW, g.InH, g.InW, bias[c]);
                }
            }
        }
    }

    /// <summary>
    /// Whether <see cref="ScatterInRegisters"/> takes a geometry: AVX-512, image rows of at most 16 floats (one vector)
    /// and at most 16 kernel columns (and a row table of at most 1024 entries). ConvShapeBenchmarks.ScatterOnSmallMaps: on 8x8 to 16x16 maps it is 1.3-1.5x the
    /// plane's speed; on 28x28 and wider, where a tap's stores are long done before the next tap reads them, the plane
    /// is faster.
    /// </summary>
    private static bool UsesRegisterRows(in ConvGeometry g) => Avx512F.IsSupported && g.InW <= 16 && g.KernelW <= 16 && (g.InH + 3) * g.KernelH <= 1024;

    /// <summary>
    /// col2im without the padded plane, for maps at most 16 wide: each image row is summed in a register from the
    /// column rows that reach it, then stored once. With the plane, each tap's read-add-write of a small map waited
    /// for the previous tap's stores to the same floats (a load shifted against a store cannot be forwarded from it).
    /// </summary>
    /// <remarks>
    /// Each image element still receives its taps in (ki, kj) order starting from +0, then the bias, as the plane
    /// did: lanes a tap does not reach add +0, which leaves any sum that started from +0 unchanged. So the bits are
    /// those of <see cref="Im2Col.ScatterAdd"/>. Lane l of a row takes, from kernel column kj, element
    /// oh * outW + (l + padW - kj * dilW) / strideW of the column row when that divides and lies in [0, outW); the
    /// first such element and each lane's offset from it are worked out once per call.
    /// </remarks>
    private static void ScatterInRegisters(float* columns, int ld, int channels, in ConvGeometry g, float* image, ReadOnlySpan<float> bias)
    {
        // Both tables map forward, from each output position to the image position it reads (as FillTable does), so
        // they need no division. lane: index 16 selects lane 0 of the zero vector.
        Vector512<int>* laneMaps = stackalloc Vector512<int>[g.KernelW];
        int* firstSource = stackalloc int[g.KernelW];
        int* lane = stackalloc int[16];
        for (int kj = 0; kj < g.KernelW; kj++)
        {
            new Span<int>(lane, 16).Fill(16);
            int first = -1;
            for (int ow = 0; ow < g.OutW; ow++)
            {
                int iw = (ow * g.StrideW) + (kj * g.DilationW) - g.PadW;
                if (iw >= 0 && iw < g.InW)
                {
                    first = first < 0 ? ow : first;
                    lane[iw] = ow - first;
                }
            }

            firstSource[kj] = first;
            laneMaps[kj] = Vector512.Load(lane);
        }

        // sourceRow[ih * kh + ki]: where output row oh starts in kernel row ki's column rows when ki reaches image row
        // ih from it (ih = oh * strideH + ki * dilH - padH), else -1; the rows past the image, for the last block of
        // four, are -1.
        int rowEntries = (g.InH + 3) * g.KernelH;
        int* sourceRow = stackalloc int[rowEntries];
        new Span<int>(sourceRow, rowEntries).Fill(-1);
        for (int ki = 0; ki < g.KernelH; ki++)
        {
            for (int oh = 0; oh < g.OutH; oh++)
            {
                int ih = (oh * g.StrideH) + (ki * g.DilationH) - g.PadH;
                if (ih >= 0 && ih < g.InH)
                {
                    sourceRow[(ih * g.KernelH) + ki] = oh * g.OutW;
                }
            }
        }

        // A row's full store spills into the rows after it, which are stored after it; never past this call's images.
        float* end = image + ((long)channels * g.InArea);
        for (int c = 0; c < channels; c++)
        {
            float* channelColumns = columns + ((long)c * g.KernelArea * ld);
            float* dst = image + ((long)c * g.InArea);
            Vector512<float> channelBias = Vector512.Create(bias.IsEmpty ? 0f : bias[c]);
            for (int ih = 0; ih < g.InH; ih += 4, dst += 4 * g.InW)
            {
                SumFourRows(channelColumns, ld, g, sourceRow + (ih * g.KernelH), laneMaps, firstSource, out var s0, out var s1, out var s2, out var s3);
                if (!bias.IsEmpty)
                {
                    (s0, s1, s2, s3) = (Avx512F.Add(s0, channelBias), Avx512F.Add(s1, channelBias), Avx512F.Add(s2, channelBias), Avx512F.Add(s3, channelBias));
                }

                int rows = g.InH - ih;
                StoreBefore(end, dst, s0);
                if (rows > 1)
                {
                    StoreBefore(end, dst + g.InW, s1);
                }

                if (rows > 2)
                {
                    StoreBefore(end, dst + (2 * g.InW), s2);
                }

                if (rows > 3)
                {
                    StoreBefore(end, dst + (3 * g.InW), s3);
                }
            }
        }
    }

    /// <summary>
    /// The sums of four image rows (rows past the image stay zero; <paramref name="sourceRow"/> starts at the first's
    /// entries) in four registers: four independent chains
    /// of additions, where one row alone would wait on each addition's latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumFourRows(
        float* channelColumns, int ld, in ConvGeometry g, int* sourceRow, Vector512<int>* laneMaps, int* firstSource,
        out Vector512<float> s0, out Vector512<float> s1, out Vector512<float> s2, out Vector512<float> s3)
    {
        Vector512<float> zero = Vector512<float>.Zero;
        (s0, s1, s2, s3) = (zero, zero, zero, zero);
        for (int ki = 0; ki < g.KernelH; ki++)
        {
            float* kernelRow = channelColumns + ((long)ki * g.KernelW * ld);
            int kh = g.KernelH;
            float* p0 = sourceRow[ki] < 0 ? null : kernelRow + sourceRow[ki];
            float* p1 = sourceRow[kh + ki] < 0 ? null : kernelRow + sourceRow[kh + ki];
            float* p2 = sourceRow[(2 * kh) + ki] < 0 ? null : kernelRow + sourceRow[(2 * kh) + ki];
            float* p3 = sourceRow[(3 * kh) + ki] < 0 ? null : kernelRow + sourceRow[(3 * kh) + ki];
            if (p0 == null && p1 == null && p2 == null && p3 == null)
            {
                continue;
            }

            for (int kj = 0; kj < g.KernelW; kj++)
            {
                int first = firstSource[kj];
                if (first < 0)
                {
                    continue;
                }

                Vector512<int> map = laneMaps[kj];
                long offset = ((long)kj * ld) + first;
                if (p0 != null)
                {
                    s0 = Avx512F.Add(s0, Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(p0 + offset), map, zero));
                }

                if (p1 != null)
                {
                    s1 = Avx512F.Add(s1, Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(p1 + offset), map, zero));
                }

                if (p2 != null)
                {
                    s2 = Avx512F.Add(s2, Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(p2 + offset), map, zero));
                }

                if (p3 != null)
                {
                    s3 = Avx512F.Add(s3, Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(p3 + offset), map, zero));
                }
            }
        }
    }

    /// <summary>
    /// Whether to go through a per-tap offset table instead of vector rows: for outputs a few
    /// pixels wide a row is mostly loop overhead (a 1x1 output is one float per row).
    /// </summary>
    private static bool UseTable(in ConvGeometry g) => g.OutW < 4 && g.KernelArea * g.OutArea <= 1024;

    /// <summary>table[(ki * kw + kj) * area + oh * outW + ow] = the tap's offset in the padded plane.</summary>
    private static void FillTable(in ConvGeometry g, int wp, int* table)
    {
        int t = 0;
        for (int ki = 0; ki < g.KernelH; ki++)
        {
            for (int kj = 0; kj < g.KernelW; kj++)
            {
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        table[t++] = (((oh * g.StrideH) + (ki * g.DilationH)) * wp) + (ow * g.StrideW) + (kj * g.DilationW);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherRowsScalar(float* src, int rowStep, int stride, float* dst, int outH, int outW)
    {
        for (int oh = 0; oh < outH; oh++, src += rowStep, dst += outW)
        {
            for (int ow = 0; ow < outW; ow++)
            {
                dst[ow] = src[ow * stride];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScatterRowsScalar(float* src, float* dst, int rowStep, int stride, int outH, int outW)
    {
        for (int oh = 0; oh < outH; oh++, src += outW, dst += rowStep)
        {
            for (int ow = 0; ow < outW; ow++)
            {
                dst[ow * stride] += src[ow];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherRowsAvx512(float* src, int rowStep, int stride, float* dst, int outH, int outW, Vector512<int> pair)
    {
        // Whole vectors run past a row into the next one, which the next store then writes; past the
        // last row they would run into the next sample's columns, which another thread may be writing.
        float* end = dst + (outH * outW);
        int oh0 = 0;
        if (outW <= 8)
        {
            // Two output rows per vector: lanes [0, outW) from this row, [outW, 2 outW) from the next,
            // which halves the loads, permutes and stores on maps 8 or fewer pixels wide.
            for (; oh0 + 1 < outH; oh0 += 2, src += 2 * rowStep, dst += 2 * outW)
            {
                StoreBefore(end, dst, Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(src), pair, Avx512F.LoadVector512(src + rowStep)));
            }

            if (oh0 == outH)
            {
                return;
            }
        }

        outH -= oh0;
        if (stride == 1)
        {
            for (int oh = 0; oh < outH; oh++, src += rowStep, dst += outW)
            {
                for (int t = 0; t < outW; t += 16)
                {
                    StoreBefore(end, dst + t, Avx512F.LoadVector512(src + t));
                }
            }

            return;
        }

        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        for (int oh = 0; oh < outH; oh++, src += rowStep, dst += outW)
        {
            for (int t = 0; t < outW; t += 16)
            {
                Vector512<float> a = Avx512F.LoadVector512(src + (2 * t));
                Vector512<float> b = Avx512F.LoadVector512(src + (2 * t) + 16);
                StoreBefore(end, dst + t, Avx512F.PermuteVar16x32x2(a, even, b));
            }
        }
    }

    /// <summary>Stores the lanes of <paramref name="v"/> that fall before <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBefore(float* end, float* dst, Vector512<float> v)
    {
        long room = end - dst;
        if (room >= 16)
        {
            Avx512F.Store(dst, v);
            return;
        }

        // A short last store is common (a 4x4 map is one and a half vectors), so it is a masked store, not a
        // loop; net8.0 has masked stores of 256 bits only.
        Vector256<float> low = v.GetLower();
        if (room >= 8)
        {
            Avx.Store(dst, low);
            Avx.MaskStore(dst + 8, FirstLanes((int)room - 8), v.GetUpper());
        }
        else
        {
            Avx.MaskStore(dst, FirstLanes((int)room), low);
        }
    }

    /// <summary>A mask of the first <paramref name="count"/> of 8 lanes.</summary>
    private static Vector256<float> FirstLanes(int count) =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

    /// <summary>Lane i &lt; w takes element s i of the first source, lane w + i element s i of the second.</summary>
    private static Vector512<int> PairIndex(int s, int w)
    {
        Span<int> lanes = stackalloc int[16];
        for (int i = 0; i < 16; i++)
        {
            lanes[i] = i < w ? s * i : i < 2 * w ? 16 + (s * (i - w)) : 0;
        }

        return Vector512.Create<int>(lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScatterRowsAvx512(float* src, float* dst, int rowStep, int stride, int outH, int outW)
    {
        Vector512<int> iota = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        if (stride == 1)
        {
            for (int oh = 0; oh < outH; oh++, src += outW, dst += rowStep)
            {
                for (int t = 0; t < outW; t += 16)
                {
                    Vector512<float> v = Avx512F.LoadVector512(src + t);
                    if (outW - t < 16)
                    {
                        v = Vector512.BitwiseAnd(v, Vector512.LessThan(iota, Vector512.Create(outW - t)).AsSingle());
                    }

                    Avx512F.Store(dst + t, Avx512F.Add(Avx512F.LoadVector512(dst + t), v));
                }
            }

            return;
        }

        // Lane 2i takes v[i] and lane 2i + 1 takes lane 0 of the zero vector.
        Vector512<int> low = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);
        Vector512<int> high = Vector512.Create(8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15, 16);
        Vector512<float> zero = Vector512<float>.Zero;
        for (int oh = 0; oh < outH; oh++, src += outW, dst += rowStep)
        {
            for (int t = 0; t < outW; t += 16)
            {
                int left = outW - t;
                Vector512<float> v = Avx512F.LoadVector512(src + t);
                if (left < 16)
                {
                    v = Vector512.BitwiseAnd(v, Vector512.LessThan(iota, Vector512.Create(left)).AsSingle());
                }

                float* d = dst + (2 * t);
                Avx512F.Store(d, Avx512F.Add(Avx512F.LoadVector512(d), Avx512F.PermuteVar16x32x2(v, low, zero)));
                if (left > 8)
                {
                    Avx512F.Store(d + 16, Avx512F.Add(Avx512F.LoadVector512(d + 16), Avx512F.PermuteVar16x32x2(v, high, zero)));
                }
            }
        }
    }
}
