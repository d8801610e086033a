using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Single-precision GEMM on row-major matrices: C = op(A) op(B), or C += op(A) op(B).
/// </summary>
/// <remarks>
/// <para>
/// GotoBLAS/BLIS structure: B is packed into KC x NC panels of NR-wide column strips, A into
/// MC x KC panels of MR-high row strips, and a register-blocked micro-kernel multiplies one
/// MR-strip by one NR-strip. The A strip (MR x KC) is reused across a whole B panel so it stays in
/// L1 while the B panel streams from L2. Transposed operands are handled entirely by packing.
/// </para>
/// <para>
/// Determinism: each element of C is computed by exactly one thread, summing over K in the same
/// KC blocks in the same order whatever the thread count, so results do not depend on the
/// number of cores. They do depend on the instruction set (FMA vs. separate multiply-add).
/// </para>
/// </remarks>
public static unsafe partial class Sgemm
{
    private const int KC = 256;
    private const int MC = 192;
    private const int NC = 512;

    /// <summary>
    /// Below this many multiply-adds a product (and a convolution's pair of slots, ConvWorkspace.Run) stays on one
    /// thread. It was 2^23 while a parked worker took tens of microseconds to wake. With the workers spinning between
    /// parts, a model whose every layer is small keeps them spinning only if its small layers fork too: whole steps
    /// interleaved in one process (docs/performance.md) ran seed000 1.29x faster in training and 1.38x in inference at
    /// 2^18, with the other four specs within 0.97-1.06x; 2^19 and 2^20 gained less, and below 2^18 nothing more.
    /// </summary>
    internal static long ParallelThreshold { get; set; } = 1L << 18;

    /// <summary>How a product may be split: over at most <paramref name="MaxThreads"/> threads, from <paramref name="Threshold"/> multiply-adds.</summary>
    internal readonly record struct Parallelism(int MaxThreads, long Threshold)
    {
        /// <summary>Every thread, from <see cref="ParallelThreshold"/>: what the public entry points use.</summary>
        public static Parallelism Default => new(Sgemm.MaxThreads, ParallelThreshold);

        /// <summary>The calling thread only.</summary>
        public static Parallelism SingleThread => new(1, long.MaxValue);
    }

    private static readonly int MR;
    private static readonly int NR;
    private static int s_maxThreads = Math.Max(1, Environment.ProcessorCount);

    [ThreadStatic]
    private static float[]? t_packA;

    [ThreadStatic]
    private static float[]? t_packB;

#pragma warning disable CA1810 // the tile shape depends on a hardware probe; a static constructor keeps MR/NR readonly
    static Sgemm()
#pragma warning restore CA1810
    {
        if (Avx512F.IsSupported)
        {
            MR = 12;
            NR = 32;
        }
        else if (Fma.IsSupported && Avx.IsSupported)
        {
            MR = 6;
            NR = 16;
        }
        else
        {
            MR = 4;
            NR = 8;
        }
    }

    /// <summary>
    /// The most threads one multiplication uses (default: the logical core count). Results are
    /// identical for every value; tests lower it to prove that. It reads 1 on a thread inside
    /// <see cref="OnThisThreadAlone"/>.
    /// </summary>
    public static int MaxThreads
    {
        get => t_alone ? 1 : Volatile.Read(ref s_maxThreads);
        set => Volatile.Write(ref s_maxThreads, value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>Whether the calling thread runs its layers' work by itself (<see cref="OnThisThreadAlone"/>).</summary>
    [ThreadStatic]
    private static bool t_alone;

    /// <summary>
    /// Until the returned scope is disposed, every product, convolution and elementwise pass started on the calling
    /// thread runs on that thread alone (<see cref="MaxThreads"/> reads 1 there): the thread is one of several that each
    /// compute a slice of a batch (<c>VaeModel</c>'s sliced inference), and the results are the same bits either way.
    /// </summary>
    internal static AloneScope OnThisThreadAlone()
    {
        bool before = t_alone;
        t_alone = true;
        return new AloneScope(before);
    }

    /// <summary>Puts the thread's setting back (<see cref="OnThisThreadAlone"/>).</summary>
    internal readonly struct AloneScope(bool before) : IDisposable
    {
        public void Dispose() => t_alone = before;
    }

    /// <summary>The instruction set the micro-kernel uses, for benchmark reports.</summary>
    public static string KernelName =>
        Avx512F.IsSupported ? $"avx512 {MR}x{NR}" : Fma.IsSupported ? $"avx2+fma {MR}x{NR}" : $"scalar {MR}x{NR}";

    /// <summary>
    /// Computes C = op(A) op(B) (or adds it to C when <paramref name="accumulate"/>), where op(A) is
    /// m x k and op(B) is k x n, all row-major.
    /// </summary>
    /// <param name="transA">False: A is m x k with row stride lda. True: A is k x m and op(A) = A^T.</param>
    /// <param name="transB">False: B is k x n with row stride ldb. True: B is n x k and op(B) = B^T.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="lda">A's row stride.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="ldb">B's row stride.</param>
    /// <param name="c">C's storage.</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate)
        => MultiplyCore(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, Parallelism.Default, columnBias: null, packedA: null, packedB: null, epilogue: null, rowsAreSamples: false);

    /// <summary>
    /// C = op(A) op(B) + bias, the bias added to every row of C (a linear layer's forward). Each tile
    /// of C starts from the bias before its first product is added, on the thread that owns the tile:
    /// no pass over C after the product, and the same order of additions as PyTorch's addmm. C's rows
    /// are samples (see <c>rowsAreSamples</c> of the other overload).
    /// </summary>
    /// <param name="transA">False: A is m x k with row stride lda. True: A is k x m and op(A) = A^T.</param>
    /// <param name="transB">False: B is k x n with row stride ldb. True: B is n x k and op(B) = B^T.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="lda">A's row stride.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="ldb">B's row stride.</param>
    /// <param name="columnBias">n values, added to every row of C.</param>
    /// <param name="c">C's storage.</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="packedB">B packed once for many products (<see cref="PackedOperand"/>), or null to pack it here.</param>
    /// <param name="epilogue">Null, or elementwise work applied to each thread's part of C once it is finished.</param>
    internal static void MultiplyAddBias(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        ReadOnlySpan<float> columnBias,
        Span<float> c, int ldc,
        PackedOperand? packedB = null,
        IProductEpilogue? epilogue = null)
    {
        if (columnBias.Length < n)
        {
            throw new ArgumentException($"GEMM: the bias has {columnBias.Length} values for {n} columns.", nameof(columnBias));
        }

        fixed (float* bias = columnBias)
        {
            MultiplyCore(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate: false, Parallelism.Default, bias, packedA: null, packedB, epilogue, rowsAreSamples: true);
        }
    }

    /// <summary>
    /// <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// split as the caller decides: one thread when it already runs on one of several (a convolution slot), or every
    /// thread from a lower threshold when it has just forked and the workers are still spinning. The result is the same,
    /// and so it is with an operand packed once for many products (<see cref="PackedOperand"/>) or packed here.
    /// </summary>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate,
        Parallelism parallelism,
        PackedOperand? packedA = null,
        PackedOperand? packedB = null,
        IProductEpilogue? epilogue = null,
        bool rowsAreSamples = false)
        => MultiplyCore(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallelism, columnBias: null, packedA, packedB, epilogue, rowsAreSamples);

    private static void MultiplyCore(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate,
        Parallelism parallelism,
        float* columnBias,
        PackedOperand? packedA,
        PackedOperand? packedB,
        IProductEpilogue? epilogue,
        bool rowsAreSamples)
    {
        int maxThreads = parallelism.MaxThreads;
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), "GEMM dimensions must be non-negative.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        CheckOperand(a.Length, transA ? k : m, transA ? m : k, lda, "A");
        CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, "B");
        CheckOperand(c.Length, m, n, ldc, "C");

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    if (columnBias is null)
                    {
                        c.Slice(i * ldc, n).Clear();
                    }
                    else
                    {
                        new ReadOnlySpan<float>(columnBias, n).CopyTo(c.Slice(i * ldc, n));
                    }

                    epilogue?.Apply(c.Slice(i * ldc, n));
                }
            }

            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            // Every path but the dot products sums each element of C in the same order, so a row's bits do not depend
            // on how many rows there are; the dot products' choice does (m x n). A product whose rows are samples (a
            // linear layer's forward) never takes them, so a sample's outputs are the same in any batch, and a batch
            // can be split by samples over threads (VaeModel's inference) without changing a bit.
            if (!rowsAreSamples && DotProducts.Applies(transA, transB, m, n, k))
            {
                Debug.Assert(columnBias is null && epilogue is null, "Only a linear layer's forward brings a bias or an epilogue, and its rows are samples.");
                var dots = new DotProducts(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                int parts = maxThreads > 1 && (long)m * n * k >= parallelism.Threshold ? Math.Min(maxThreads, (m + 3) / 4) : 1;
                if (parts == 1)
                {
                    dots.Run(0, 1);
                }
                else
                {
                    ForkJoin.Run(dots, parts);
                }

                return;
            }

            // A C narrower than one NR strip (a 16-wide head, a convolution with few taps) would
            // waste most of every tile; C^T = op(B)^T op(A)^T fills them, stored transposed. The
            // choice depends only on the shape, so results stay independent of the thread count.
            bool transposeC = n < NR && m > n;
            Job job = transposeC
                ? new Job(!transB, !transA, n, m, k, pb, ldb, pa, lda, pc, ldc, accumulate, transposeC: true, columnBias)
                : new Job(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, transposeC: false, columnBias);

            // A caller's operand packed once is the job's A or B as the job is laid out: C^T swaps them.
            PackedOperand? jobPackedA = transposeC ? packedB : packedA;
            PackedOperand? jobPackedB = transposeC ? packedA : packedB;
            if (jobPackedA is not null || jobPackedB is not null)
            {
                job = job.WithPanels(jobPackedA?.PanelsFor(job, asA: true), jobPackedB?.PanelsFor(job, asA: false));
            }

            bool splitN = SplitsColumns(job, maxThreads);
            int threads = ThreadCount(job.M, job.N, k, splitN, maxThreads, parallelism.Threshold);
            if (threads == 1)
            {
                job.Run(0, job.M, 0, job.N);
                job.ApplyEpilogue(epilogue, 0, job.M, 0, job.N);
            }
            else
            {
                ForkJoin.Run(new ParallelJob(job, splitN, epilogue), threads);
            }
        }
    }

    private static int ThreadCount(int m, int n, int k, bool splitN, int maxThreads, long threshold)
    {
        if (maxThreads == 1 || (long)m * n * k < threshold)
        {
            return 1;
        }

        // Each part must hold at least one full tile.
        int parts = splitN ? n / NR : m / MR;
        return Math.Clamp(parts, 1, maxThreads);
    }

    /// <summary>
    /// Whether the threads share C's columns (else its rows): the larger dimension, unless B comes packed. Threads that
    /// split the columns each pack all of A, so with B packed once (a linear layer's weight in InferenceMode) splitting
    /// the rows packs nothing twice, as long as the rows make as many parts and split evenly (<see cref="RowPartsEven"/>).
    /// Interleaved evaluation passes in InferenceMode, two threads, two runs: seed000 1.096-1.107x, fashion_mlp
    /// 1.020-1.033x, fashion_conv 1.021-1.025x.
    /// </summary>
    /// <summary>
    /// The calling thread's packing buffers, made on its first product. A pass whose units move between threads
    /// (<see cref="ConvWorkspace.TakeUnit"/>) makes them on each thread before it takes any, so that a unit a thread takes
    /// for the first time in a later pass allocates nothing then.
    /// </summary>
    internal static (float[] PackA, float[] PackB) ThreadPackBuffers() =>
        // + 16: the vectorised A packing stores whole vectors, spilling up to 4 floats past a strip.
        // Pinned, so the panels can start on a cache line: a misaligned panel splits every vector load of
        // the micro-kernel over two lines (+ 16 floats of room to align).
        (t_packA ??= GC.AllocateArray<float>((MC * KC) + 16 + 16, pinned: true),
         t_packB ??= GC.AllocateArray<float>((KC * (NC + 32)) + 16, pinned: true));

    private static bool SplitsColumns(in Job job, int maxThreads)
    {
        if (job.PackedB is not null && job.M / MR >= Math.Min(maxThreads, job.N / NR) && RowPartsEven(job.M, maxThreads))
        {
            return false;
        }

        return job.N >= job.M;
    }

    /// <summary>
    /// Whether <paramref name="m"/> rows, split into MR-row strips over the parts <see cref="ThreadCount"/> gives a row
    /// split, leave no part more than a fifth above an even share. 32 rows are three 12-row strips, 20 rows for one thread
    /// and 12 for the other, and each thread reads all of the packed B: a linear layer's forward at batch 32 with the
    /// weight packed ran 1.36-1.52x faster split by columns for 128 -> 2,048 and 4,096 and 256 -> 3,136 (36 rows too),
    /// 1.08x for 400 -> 784 and 0.98x for 784 -> 400, while at 24, 40 and 64 rows (even parts) the row split was as fast
    /// or 1.2-1.3x faster (a throwaway probe, two threads, medians of interleaved rounds).
    /// </summary>
    private static bool RowPartsEven(int m, int maxThreads)
    {
        int parts = Math.Clamp(m / MR, 1, maxThreads);
        int strips = (m + MR - 1) / MR;
        int busiest = 0;
        for (int part = 0; part < parts; part++)
        {
            (int first, int end) = ForkJoin.Share(strips, part, parts);
            busiest = Math.Max(busiest, Math.Min(m, end * MR) - (first * MR));
        }

        return 5L * busiest * parts <= 6L * m;
    }

    private static void CheckOperand(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols)
        {
            throw new ArgumentException($"GEMM: leading dimension of {name} ({ld}) is smaller than its {cols} columns.");
        }

        long needed = ((long)(rows - 1) * ld) + cols;
        if (rows > 0 && cols > 0 && length < needed)
        {
            throw new ArgumentException($"GEMM: {name} needs {needed} elements ({rows}x{cols}, ld {ld}) but has {length}.");
        }
    }

    /// <summary>
    /// C (+)= A B^T where C is small and k long, both operands read along k as stored: a convolution's weight
    /// gradient when few channels meet few taps (32 x 48 over thousands of positions). The packed GEMM would copy
    /// every element of A and B to use it a few dozen times, and its 32-wide tiles would be half empty; here each
    /// element of C is a dot product, four rows of A by four of B at a time in 16 registers.
    /// SgemmBenchmarks.SmallOutputLongK: 32x48x2048 from 28 to 49-55 GFLOP/s on one thread.
    /// </summary>
    /// <remarks>
    /// Each element is summed the same way whatever the thread count: 16 lanes over k in steps of 16, the lanes
    /// added in a fixed order, the last k % 16 products after them; then added to C or stored. That order differs
    /// from the tiles', and the choice depends on m, so products whose rows are samples do not come here.
    /// </remarks>
    private readonly struct DotProducts : IForkJoinBody
    {
        private readonly int _m;
        private readonly int _n;
        private readonly int _k;
        private readonly float* _a;
        private readonly int _lda;
        private readonly float* _b;
        private readonly int _ldb;
        private readonly float* _c;
        private readonly int _ldc;
        private readonly bool _accumulate;

        public DotProducts(int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        {
            _m = m;
            _n = n;
            _k = k;
            _a = a;
            _lda = lda;
            _b = b;
            _ldb = ldb;
            _c = c;
            _ldc = ldc;
            _accumulate = accumulate;
        }

        /// <summary>Whether a product takes this path: a shape-only choice, so results never depend on the threads.</summary>
        public static bool Applies(bool transA, bool transB, int m, int n, int k) =>
            Avx512F.IsSupported && !transA && transB && (long)m * n <= 4096 && k >= 512;

        /// <summary>Part p of P computes a fixed range of four-row blocks of C.</summary>
        public void Run(int part, int parts)
        {
            int blocks = (_m + 3) / 4;
            (int firstBlock, int endBlock) = ForkJoin.Share(blocks, part, parts);
            for (int block = firstBlock; block < endBlock; block++)
            {
                int i0 = block * 4;
                for (int j0 = 0; j0 < _n; j0 += 4)
                {
                    if (i0 + 4 <= _m && j0 + 4 <= _n)
                    {
                        Block4x4(i0, j0);
                    }
                    else
                    {
                        for (int i = i0; i < Math.Min(i0 + 4, _m); i++)
                        {
                            for (int j = j0; j < Math.Min(j0 + 4, _n); j++)
                            {
                                Store(i, j, Dot(_a + ((long)i * _lda), _b + ((long)j * _ldb)));
                            }
                        }
                    }
                }
            }

        }

        private void Store(int i, int j, float dot)
        {
            float* cell = _c + ((long)i * _ldc) + j;
            *cell = _accumulate ? *cell + dot : dot;
        }

        private float Dot(float* x, float* y)
        {
            int k16 = _k & ~15;
            Vector512<float> acc = default;
            for (int p = 0; p < k16; p += 16)
            {
                acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(x + p), Avx512F.LoadVector512(y + p), acc);
            }

            return Tail(Vector512.Sum(acc), x, y, k16);
        }

        private float Tail(float sum, float* x, float* y, int from)
        {
            for (int p = from; p < _k; p++)
            {
                sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
            }

            return sum;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Block4x4(int i0, int j0)
        {
            float* a0 = _a + ((long)i0 * _lda);
            float* a1 = a0 + _lda;
            float* a2 = a1 + _lda;
            float* a3 = a2 + _lda;
            float* b0 = _b + ((long)j0 * _ldb);
            float* b1 = b0 + _ldb;
            float* b2 = b1 + _ldb;
            float* b3 = b2 + _ldb;
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
            int k16 = _k & ~15;
            for (int p = 0; p < k16; p += 16)
            {
                Vector512<float> y0 = Avx512F.LoadVector512(b0 + p);
                Vector512<float> y1 = Avx512F.LoadVector512(b1 + p);
                Vector512<float> y2 = Avx512F.LoadVector512(b2 + p);
                Vector512<float> y3 = Avx512F.LoadVector512(b3 + p);
                Vector512<float> x = Avx512F.LoadVector512(a0 + p);
                c00 = Avx512F.FusedMultiplyAdd(x, y0, c00);
                c01 = Avx512F.FusedMultiplyAdd(x, y1, c01);
                c02 = Avx512F.FusedMultiplyAdd(x, y2, c02);
                c03 = Avx512F.FusedMultiplyAdd(x, y3, c03);
                x = Avx512F.LoadVector512(a1 + p);
                c10 = Avx512F.FusedMultiplyAdd(x, y0, c10);
                c11 = Avx512F.FusedMultiplyAdd(x, y1, c11);
                c12 = Avx512F.FusedMultiplyAdd(x, y2, c12);
                c13 = Avx512F.FusedMultiplyAdd(x, y3, c13);
                x = Avx512F.LoadVector512(a2 + p);
                c20 = Avx512F.FusedMultiplyAdd(x, y0, c20);
                c21 = Avx512F.FusedMultiplyAdd(x, y1, c21);
                c22 = Avx512F.FusedMultiplyAdd(x, y2, c22);
                c23 = Avx512F.FusedMultiplyAdd(x, y3, c23);
                x = Avx512F.LoadVector512(a3 + p);
                c30 = Avx512F.FusedMultiplyAdd(x, y0, c30);
                c31 = Avx512F.FusedMultiplyAdd(x, y1, c31);
                c32 = Avx512F.FusedMultiplyAdd(x, y2, c32);
                c33 = Avx512F.FusedMultiplyAdd(x, y3, c33);
            }

            Store(i0, j0, Tail(Vector512.Sum(c00), a0, b0, k16));
            Store(i0, j0 + 1, Tail(Vector512.Sum(c01), a0, b1, k16));
            Store(i0, j0 + 2, Tail(Vector512.Sum(c02), a0, b2, k16));
            Store(i0, j0 + 3, Tail(Vector512.Sum(c03), a0, b3, k16));
            Store(i0 + 1, j0, Tail(Vector512.Sum(c10), a1, b0, k16));
            Store(i0 + 1, j0 + 1, Tail(Vector512.Sum(c11), a1, b1, k16));
            Store(i0 + 1, j0 + 2, Tail(Vector512.Sum(c12), a1, b2, k16));
            Store(i0 + 1, j0 + 3, Tail(Vector512.Sum(c13), a1, b3, k16));
            Store(i0 + 2, j0, Tail(Vector512.Sum(c20), a2, b0, k16));
            Store(i0 + 2, j0 + 1, Tail(Vector512.Sum(c21), a2, b1, k16));
            Store(i0 + 2, j0 + 2, Tail(Vector512.Sum(c22), a2, b2, k16));
            Store(i0 + 2, j0 + 3, Tail(Vector512.Sum(c23), a2, b3, k16));
            Store(i0 + 3, j0, Tail(Vector512.Sum(c30), a3, b0, k16));
            Store(i0 + 3, j0 + 1, Tail(Vector512.Sum(c31), a3, b1, k16));
            Store(i0 + 3, j0 + 2, Tail(Vector512.Sum(c32), a3, b2, k16));
            Store(i0 + 3, j0 + 3, Tail(Vector512.Sum(c33), a3, b3, k16));
        }
    }

    /// <summary>Part t of T computes a fixed contiguous range of whole tiles, so thread t always owns the same elements of C.</summary>
    private readonly struct ParallelJob : IForkJoinBody
    {
        private readonly Job _job;
        private readonly bool _splitN;
        private readonly IProductEpilogue? _epilogue;

        public ParallelJob(in Job job, bool splitN, IProductEpilogue? epilogue)
        {
            _job = job;
            _splitN = splitN;
            _epilogue = epilogue;
        }

        public void Run(int part, int parts)
        {
            bool splitN = _splitN;
            int unit = splitN ? NR : MR;
            int total = splitN ? _job.N : _job.M;
            int units = (total + unit - 1) / unit;
            (int firstUnit, int endUnit) = ForkJoin.Share(units, part, parts);
            int lo = firstUnit * unit;
            int hi = Math.Min(total, endUnit * unit);
            if (splitN)
            {
                _job.Run(0, _job.M, lo, hi);
                _job.ApplyEpilogue(_epilogue, 0, _job.M, lo, hi);
            }
            else
            {
                _job.Run(lo, hi, 0, _job.N);
                _job.ApplyEpilogue(_epilogue, lo, hi, 0, _job.N);
            }
        }
    }

    internal readonly struct Job
    {
        public readonly bool TransA;
        public readonly bool TransB;
        public readonly int M;
        public readonly int N;
        public readonly int K;
        public readonly float* A;
        public readonly int Lda;
        public readonly float* B;
        public readonly int Ldb;
        public readonly float* C;
        public readonly int Ldc;
        public readonly bool Accumulate;

        /// <summary>The job computes C^T: its element (i, j) is stored at C[j * Ldc + i].</summary>
        public readonly bool TransposeC;

        /// <summary>
        /// Null, or a value per column of the caller's C that every tile starts from (Accumulate is
        /// then false). With <see cref="TransposeC"/> the caller's columns are the job's rows.
        /// </summary>
        public readonly float* Bias;

        /// <summary>
        /// Null, or op(A) packed once as <see cref="PackedOperand"/> lays it out: MR-high strips over the whole of K, so
        /// the strip of rows i.. at k block pc.. starts at PackedA + i * K + pc * MR.
        /// </summary>
        public readonly float* PackedA;

        /// <summary>Null, or op(B) packed once: NR-wide strips over the whole of K (columns j.., k block pc.. at PackedB + j * K + pc * NR).</summary>
        public readonly float* PackedB;

        public Job(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, bool transposeC, float* bias, float* packedA = null, float* packedB = null)
        {
            PackedA = packedA;
            PackedB = packedB;
            Bias = bias;
            TransA = transA;
            TransB = transB;
            M = m;
            N = n;
            K = k;
            A = a;
            Lda = lda;
            B = b;
            Ldb = ldb;
            C = c;
            Ldc = ldc;
            Accumulate = accumulate;
            TransposeC = transposeC;
        }

        /// <summary>This job reading op(A) and op(B) from panels packed beforehand (either may be null: packed here, block by block).</summary>
        public Job WithPanels(float* packedA, float* packedB) =>
            new(TransA, TransB, M, N, K, A, Lda, B, Ldb, C, Ldc, Accumulate, TransposeC, Bias, packedA, packedB);

        /// <summary>
        /// Applies <paramref name="epilogue"/> (if any) to the finished block of rows [i0, i1) and columns [j0, j1) of the job's C,
        /// row by row, or in one run when the block covers whole rows of a C stored without gaps.
        /// </summary>
        public void ApplyEpilogue(IProductEpilogue? epilogue, int i0, int i1, int j0, int j1)
        {
            if (epilogue is null || i0 >= i1 || j0 >= j1)
            {
                return;
            }

            // With TransposeC the job's element (i, j) is stored at C[j * Ldc + i]: its columns are the caller's rows.
            (int r0, int r1, int c0, int c1) = TransposeC ? (j0, j1, i0, i1) : (i0, i1, j0, j1);
            int width = TransposeC ? M : N;
            if (c0 == 0 && c1 == width && Ldc == width)
            {
                epilogue.Apply(new Span<float>(C + ((long)r0 * Ldc), (r1 - r0) * width));
                return;
            }

            for (int r = r0; r < r1; r++)
            {
                epilogue.Apply(new Span<float>(C + ((long)r * Ldc) + c0, c1 - c0));
            }
        }

        /// <summary>Computes the block C[m0..m1, n0..n1] on the calling thread.</summary>
        public void Run(int m0, int m1, int n0, int n1)
        {
            int mr = MR;
            int nr = NR;
            (float[] packA, float[] packB) = ThreadPackBuffers();
            float* tile = stackalloc float[16 * 32];
            fixed (float* apRaw = packA)
            fixed (float* bpRaw = packB)
            {
                float* ap = AlignToLine(apRaw);
                float* bp = AlignToLine(bpRaw);
                for (int jc = n0; jc < n1; jc += NC)
                {
                    int nc = Math.Min(NC, n1 - jc);
                    for (int pc = 0; pc < K; pc += KC)
                    {
                        int kc = Math.Min(KC, K - pc);
                        bool overwrite = pc == 0 && !Accumulate;

                        float* bPanel = Panel(PackedB, bp, jc, pc, kc, nr, out long bStripStride);
                        if (PackedB is null)
                        {
                            PackB(bp, pc, kc, jc, nc, nr);
                        }

                        for (int ic = m0; ic < m1; ic += MC)
                        {
                            int mc = Math.Min(MC, m1 - ic);
                            float* aPanel = Panel(PackedA, ap, ic, pc, kc, mr, out long aStripStride);
                            if (PackedA is null)
                            {
                                PackA(ap, ic, mc, pc, kc, mr);
                            }

                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int mEff = Math.Min(mr, mc - ir);
                                float* aStrip = aPanel + (ir * aStripStride);
                                for (int jr = 0; jr < nc; jr += nr)
                                {
                                    int nEff = Math.Min(nr, nc - jr);
                                    float* bStrip = bPanel + (jr * bStripStride);
                                    if (TransposeC)
                                    {
                                        Kernel(aStrip, bStrip, kc, tile, nr, overwrite: true);
                                        StoreTransposed(tile, nr, C + ((long)(jc + jr) * Ldc) + ic + ir, Ldc, mEff, nEff, overwrite, overwrite && Bias is not null ? Bias + ic + ir : null);
                                        continue;
                                    }

                                    float* cTile = C + ((long)(ic + ir) * Ldc) + jc + jr;
                                    if (mEff == mr && nEff == nr)
                                    {
                                        if (overwrite && Bias is not null)
                                        {
                                            FillRows(cTile, Ldc, Bias + jc + jr, mEff, nEff);
                                            Kernel(aStrip, bStrip, kc, cTile, Ldc, overwrite: false);
                                        }
                                        else
                                        {
                                            Kernel(aStrip, bStrip, kc, cTile, Ldc, overwrite);
                                        }
                                    }
                                    else if (nEff == nr && mr == 12 && mEff <= 8)
                                    {
                                        // A short last strip (channel counts and batches are multiples of 4 and 8,
                                        // rarely of 12): a kernel as high as the strip, straight into C.
                                        if (overwrite && Bias is not null)
                                        {
                                            FillRows(cTile, Ldc, Bias + jc + jr, mEff, nEff);
                                            PartialRowsAvx512(aStrip, bStrip, kc, cTile, Ldc, overwrite: false, mEff);
                                        }
                                        else
                                        {
                                            PartialRowsAvx512(aStrip, bStrip, kc, cTile, Ldc, overwrite, mEff);
                                        }
                                    }
                                    else
                                    {
                                        // Edge tile: compute the full tile into scratch, then copy the valid part.
                                        Kernel(aStrip, bStrip, kc, tile, nr, overwrite: true);
                                        for (int r = 0; r < mEff; r++)
                                        {
                                            float* src = tile + (r * nr);
                                            float* dst = cTile + ((long)r * Ldc);
                                            if (overwrite && Bias is not null)
                                            {
                                                float* bias = Bias + jc + jr;
                                                for (int j = 0; j < nEff; j++)
                                                {
                                                    dst[j] = bias[j] + src[j];
                                                }
                                            }
                                            else if (overwrite)
                                            {
                                                for (int j = 0; j < nEff; j++)
                                                {
                                                    dst[j] = src[j];
                                                }
                                            }
                                            else
                                            {
                                                for (int j = 0; j < nEff; j++)
                                                {
                                                    dst[j] += src[j];
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The block (k from <paramref name="pc"/>, strips from row or column <paramref name="first"/>) of an operand's
        /// panel, and how far apart its strips lie: <paramref name="scratch"/>, where the caller packs the block with kc
        /// floats per strip row, unless the operand was packed once, whose strips run over the whole of K.
        /// </summary>
        private float* Panel(float* packedOnce, float* scratch, int first, int pc, int kc, int stripWidth, out long stripStride)
        {
            if (packedOnce is null)
            {
                stripStride = kc;
                return scratch;
            }

            stripStride = K;
            return packedOnce + ((long)first * K) + ((long)pc * stripWidth);
        }

        public static float* AlignToLine(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

        /// <summary>Each of the first <paramref name="rows"/> rows of a tile of C = the <paramref name="cols"/> bias values.</summary>
        private static void FillRows(float* c, int ldc, float* bias, int rows, int cols)
        {
            var source = new ReadOnlySpan<float>(bias, cols);
            for (int r = 0; r < rows; r++)
            {
                source.CopyTo(new Span<float>(c + ((long)r * ldc), cols));
            }
        }

        /// <summary>
        /// c[j * ldc + r] (+)= tile[r * nr + j] for the valid rows and columns of a tile; with
        /// <paramref name="rowBias"/> (overwrite only), c[j * ldc + r] = rowBias[r] + tile[r * nr + j].
        /// </summary>
        private static void StoreTransposed(float* tile, int nr, float* c, int ldc, int rows, int cols, bool overwrite, float* rowBias)
        {
            for (int j = 0; j < cols; j++)
            {
                float* dst = c + ((long)j * ldc);
                if (rowBias is not null)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        dst[r] = rowBias[r] + tile[(r * nr) + j];
                    }
                }
                else if (overwrite)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        dst[r] = tile[(r * nr) + j];
                    }
                }
                else
                {
                    for (int r = 0; r < rows; r++)
                    {
                        dst[r] += tile[(r * nr) + j];
                    }
                }
            }
        }

        /// <summary>Packs op(A)[ic.., pc..] into MR-high strips, k-major inside a strip, zero-padding the last strip.</summary>
        public void PackA(float* dst, int ic, int mc, int pc, int kc, int mr)
        {
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* strip = dst + (ir * kc);
                if (TransA && rows == 12 && mr == 12)
                {
                    // op(A)(i, p) = A[p, i]: for each p the strip's 12 rows are 12 contiguous floats, one
                    // 8- and one 4-wide copy (a transposed weight is packed once per convolution group).
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = A + ((long)(pc + p) * Lda) + ic + ir;
                        float* d = strip + (p * 12);
                        Vector256.Store(Vector256.Load(src), d);
                        Vector128.Store(Vector128.Load(src + 8), d + 8);
                    }
                }
                else if (TransA && mr == 12 && (rows == 8 || rows == 4))
                {
                    // A short last strip (channel counts are multiples of 4 and 8, rarely of 12): each k step is one
                    // vector of its rows and zeros for the others.
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = A + ((long)(pc + p) * Lda) + ic + ir;
                        float* d = strip + (p * 12);
                        if (rows == 8)
                        {
                            Vector256.Store(Vector256.Load(src), d);
                            Vector128.Store(Vector128<float>.Zero, d + 8);
                        }
                        else
                        {
                            Vector128.Store(Vector128.Load(src), d);
                            Vector256.Store(Vector256<float>.Zero, d + 4);
                        }
                    }
                }
                else if (TransA)
                {
                    // op(A)(i, p) = A[p, i]: for each p the strip's rows are contiguous in memory.
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = A + ((long)(pc + p) * Lda) + ic + ir;
                        float* d = strip + (p * mr);
                        int r = 0;
                        for (; r < rows; r++)
                        {
                            d[r] = src[r];
                        }

                        for (; r < mr; r++)
                        {
                            d[r] = 0f;
                        }
                    }
                }
                else if (mr == 12 && kc >= 16)
                {
                    PackA12Avx512(A + ((long)(ic + ir) * Lda) + pc, Lda, strip, kc, rows);
                }
                else
                {
                    for (int r = 0; r < mr; r++)
                    {
                        if (r < rows)
                        {
                            float* src = A + ((long)(ic + ir + r) * Lda) + pc;
                            for (int p = 0; p < kc; p++)
                            {
                                strip[(p * mr) + r] = src[p];
                            }
                        }
                        else
                        {
                            for (int p = 0; p < kc; p++)
                            {
                                strip[(p * mr) + r] = 0f;
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Packs op(B)[pc.., jc..] into NR-wide strips, k-major inside a strip, zero-padding the last strip.</summary>
        public void PackB(float* dst, int pc, int kc, int jc, int nc, int nr)
        {
            if (!TransB)
            {
                PackPlainB(dst, pc, kc, jc, nc, nr);
                return;
            }

            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* strip = dst + (jr * kc);
                if (cols == 32 && nr == 32 && kc >= 16)
                {
                    PackB32Avx512(B + ((long)(jc + jr) * Ldb) + pc, Ldb, strip, kc);
                }
                else
                {
                    // op(B)(p, j) = B[j, p]: each column of the strip is a contiguous row of B.
                    for (int j = 0; j < nr; j++)
                    {
                        if (j < cols)
                        {
                            float* src = B + ((long)(jc + jr + j) * Ldb) + pc;
                            for (int p = 0; p < kc; p++)
                            {
                                strip[(p * nr) + j] = src[p];
                            }
                        }
                        else
                        {
                            for (int p = 0; p < kc; p++)
                            {
                                strip[(p * nr) + j] = 0f;
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// <see cref="PackB"/> of a plain B, row by row across the strips, so that each row of B is read once, front to
        /// back. Strip by strip, a strip's kc pieces of a row lie ldb floats apart, a stride the prefetchers do not
        /// follow: a 64 x 294 x 512 product on one thread took 239-249 us that way and 213-228 us this way, a
        /// 12-row one 73-89 against 56-72 us.
        /// </summary>
        private void PackPlainB(float* dst, int pc, int kc, int jc, int nc, int nr)
        {
            int full = nc / nr;
            int rest = nc - (full * nr);
            for (int p = 0; p < kc; p++)
            {
                float* src = B + ((long)(pc + p) * Ldb) + jc;
                float* d = dst + (p * nr);
                for (int strip = 0; strip < full; strip++, src += nr, d += nr * kc)
                {
                    if (nr == 32)
                    {
                        // Two vector copies: a Buffer.MemoryCopy call per 128 bytes cost more than the copy.
                        Vector512.Store(Vector512.Load(src), d);
                        Vector512.Store(Vector512.Load(src + 16), d + 16);
                    }
                    else
                    {
                        Buffer.MemoryCopy(src, d, nr * sizeof(float), nr * sizeof(float));
                    }
                }

                // The last strip, if partial: its columns past nc are zeros.
                for (int j = 0; rest > 0 && j < nr; j++)
                {
                    d[j] = j < rest ? src[j] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Packs the rows of <paramref name="b"/> ([n, k], row-major, n a multiple of 32) as the transposed strips a product
    /// reads: packed[j][p][i] = b[32 j + i, p], strip j of k x 32 floats after strip j - 1. This is how a product packs
    /// op(B) = B^T (<see cref="PixelTileConv"/>'s weights are packed the same way, once per pass). AVX-512 only.
    /// </summary>
    internal static void PackTransposedStrips(ReadOnlySpan<float> b, int n, int k, Span<float> packed)
    {
        if (n % 32 != 0 || b.Length < (long)n * k || packed.Length < (long)n * k)
        {
            throw new ArgumentException("PackTransposedStrips: n must be a multiple of 32 and the buffers hold n * k floats.");
        }

        fixed (float* src = b)
        fixed (float* dst = packed)
        {
            for (int j = 0; j < n / 32; j++)
            {
                PackB32Avx512(src + ((long)j * 32 * k), k, dst + ((long)j * 32 * k), k);
            }
        }
    }

    /// <summary>
    /// Packs a 12-row strip of a row-major A (strip[p * 12 + r] = src[r * lda + p]) with 16x16 register transposes; the
    /// scalar loop's strided stores made A packing a visible part of small-M products such as a convolution's weight
    /// gradient. A short last strip (<paramref name="rows"/> below 12: M = 32, 64, 128 leave 8 or 4) takes zero vectors
    /// for its missing rows, so it packs as fast as a full one.
    /// </summary>
    /// <remarks>Each 16-lane store writes 4 zero lanes past its 12; the next store or the buffer slack takes them.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA12Avx512(float* src, int lda, float* strip, int kc, int rows)
    {
        Vector512<float> zero = Vector512<float>.Zero;
        int p = 0;
        for (; p <= kc - 16; p += 16)
        {
            float* s = src + p;
            Transpose16(
                Row(s, lda, 0, rows), Row(s, lda, 1, rows), Row(s, lda, 2, rows), Row(s, lda, 3, rows),
                Row(s, lda, 4, rows), Row(s, lda, 5, rows), Row(s, lda, 6, rows), Row(s, lda, 7, rows),
                Row(s, lda, 8, rows), Row(s, lda, 9, rows), Row(s, lda, 10, rows), Row(s, lda, 11, rows),
                zero, zero, zero, zero,
                strip + (p * 12), 12);
        }

        for (; p < kc; p++)
        {
            float* d = strip + (p * 12);
            for (int r = 0; r < 12; r++)
            {
                d[r] = r < rows ? src[((long)r * lda) + p] : 0f;
            }
        }
    }

    /// <summary>Row <paramref name="r"/>'s 16 floats from <paramref name="s"/>, or zeros past the strip's rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* s, int lda, int r, int rows) =>
        r < rows ? Avx512F.LoadVector512(s + ((long)r * lda)) : Vector512<float>.Zero;

    /// <summary>Packs a 32-column strip of a transposed B (strip[p * 32 + j] = src[j * ldb + p]) with 16x16 register transposes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB32Avx512(float* src, int ldb, float* strip, int kc)
    {
        int p = 0;
        for (; p <= kc - 16; p += 16)
        {
            for (int half = 0; half < 32; half += 16)
            {
                float* s = src + ((long)half * ldb) + p;
                Transpose16(
                    Avx512F.LoadVector512(s), Avx512F.LoadVector512(s + ldb), Avx512F.LoadVector512(s + (2 * ldb)), Avx512F.LoadVector512(s + (3 * ldb)),
                    Avx512F.LoadVector512(s + (4 * ldb)), Avx512F.LoadVector512(s + (5 * ldb)), Avx512F.LoadVector512(s + (6 * ldb)), Avx512F.LoadVector512(s + (7 * ldb)),
                    Avx512F.LoadVector512(s + (8 * ldb)), Avx512F.LoadVector512(s + (9 * ldb)), Avx512F.LoadVector512(s + (10 * ldb)), Avx512F.LoadVector512(s + (11 * ldb)),
                    Avx512F.LoadVector512(s + (12 * ldb)), Avx512F.LoadVector512(s + (13 * ldb)), Avx512F.LoadVector512(s + (14 * ldb)), Avx512F.LoadVector512(s + (15 * ldb)),
                    strip + (p * 32) + half, 32);
            }
        }

        for (; p < kc; p++)
        {
            float* d = strip + (p * 32);
            for (int j = 0; j < 32; j++)
            {
                d[j] = src[((long)j * ldb) + p];
            }
        }
    }

    /// <summary>Stores the transpose of the 16x16 block with rows r0..r15: dst[q * stride + i] = r_i[q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(
        Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        Vector512<float> r4, Vector512<float> r5, Vector512<float> r6, Vector512<float> r7,
        Vector512<float> r8, Vector512<float> r9, Vector512<float> r10, Vector512<float> r11,
        Vector512<float> r12, Vector512<float> r13, Vector512<float> r14, Vector512<float> r15,
        float* dst, int stride)
    {
        // Pairs of rows interleaved per 32-bit element, then per 64-bit pair: u(4a + b) holds,
        // in 128-bit lane k, column 4k + b of rows 4a..4a+3.
        Vector512<double> t0 = Avx512F.UnpackLow(r0, r1).AsDouble(), t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        Vector512<double> t2 = Avx512F.UnpackLow(r2, r3).AsDouble(), t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        Vector512<double> t4 = Avx512F.UnpackLow(r4, r5).AsDouble(), t5 = Avx512F.UnpackHigh(r4, r5).AsDouble();
        Vector512<double> t6 = Avx512F.UnpackLow(r6, r7).AsDouble(), t7 = Avx512F.UnpackHigh(r6, r7).AsDouble();
        Vector512<double> t8 = Avx512F.UnpackLow(r8, r9).AsDouble(), t9 = Avx512F.UnpackHigh(r8, r9).AsDouble();
        Vector512<double> t10 = Avx512F.UnpackLow(r10, r11).AsDouble(), t11 = Avx512F.UnpackHigh(r10, r11).AsDouble();
        Vector512<double> t12 = Avx512F.UnpackLow(r12, r13).AsDouble(), t13 = Avx512F.UnpackHigh(r12, r13).AsDouble();
        Vector512<double> t14 = Avx512F.UnpackLow(r14, r15).AsDouble(), t15 = Avx512F.UnpackHigh(r14, r15).AsDouble();
        Vector512<float> u0 = Avx512F.UnpackLow(t0, t2).AsSingle(), u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        Vector512<float> u2 = Avx512F.UnpackLow(t1, t3).AsSingle(), u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        Vector512<float> u4 = Avx512F.UnpackLow(t4, t6).AsSingle(), u5 = Avx512F.UnpackHigh(t4, t6).AsSingle();
        Vector512<float> u6 = Avx512F.UnpackLow(t5, t7).AsSingle(), u7 = Avx512F.UnpackHigh(t5, t7).AsSingle();
        Vector512<float> u8 = Avx512F.UnpackLow(t8, t10).AsSingle(), u9 = Avx512F.UnpackHigh(t8, t10).AsSingle();
        Vector512<float> u10 = Avx512F.UnpackLow(t9, t11).AsSingle(), u11 = Avx512F.UnpackHigh(t9, t11).AsSingle();
        Vector512<float> u12 = Avx512F.UnpackLow(t12, t14).AsSingle(), u13 = Avx512F.UnpackHigh(t12, t14).AsSingle();
        Vector512<float> u14 = Avx512F.UnpackLow(t13, t15).AsSingle(), u15 = Avx512F.UnpackHigh(t13, t15).AsSingle();

        // 128-bit lanes: 0x88 takes lanes 0 and 2 of each source, 0xDD lanes 1 and 3.
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
        Vector512<float> v1 = Avx512F.Shuffle4x128(u1, u5, 0x88), v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88), v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
        Vector512<float> v3 = Avx512F.Shuffle4x128(u3, u7, 0x88), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        Vector512<float> v9 = Avx512F.Shuffle4x128(u9, u13, 0x88), v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88), v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        Vector512<float> v11 = Avx512F.Shuffle4x128(u11, u15, 0x88), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);

        Avx512F.Store(dst, Avx512F.Shuffle4x128(v0, v8, 0x88));
        Avx512F.Store(dst + stride, Avx512F.Shuffle4x128(v1, v9, 0x88));
        Avx512F.Store(dst + (2 * stride), Avx512F.Shuffle4x128(v2, v10, 0x88));
        Avx512F.Store(dst + (3 * stride), Avx512F.Shuffle4x128(v3, v11, 0x88));
        Avx512F.Store(dst + (4 * stride), Avx512F.Shuffle4x128(v4, v12, 0x88));
        Avx512F.Store(dst + (5 * stride), Avx512F.Shuffle4x128(v5, v13, 0x88));
        Avx512F.Store(dst + (6 * stride), Avx512F.Shuffle4x128(v6, v14, 0x88));
        Avx512F.Store(dst + (7 * stride), Avx512F.Shuffle4x128(v7, v15, 0x88));
        Avx512F.Store(dst + (8 * stride), Avx512F.Shuffle4x128(v0, v8, 0xDD));
        Avx512F.Store(dst + (9 * stride), Avx512F.Shuffle4x128(v1, v9, 0xDD));
        Avx512F.Store(dst + (10 * stride), Avx512F.Shuffle4x128(v2, v10, 0xDD));
        Avx512F.Store(dst + (11 * stride), Avx512F.Shuffle4x128(v3, v11, 0xDD));
        Avx512F.Store(dst + (12 * stride), Avx512F.Shuffle4x128(v4, v12, 0xDD));
        Avx512F.Store(dst + (13 * stride), Avx512F.Shuffle4x128(v5, v13, 0xDD));
        Avx512F.Store(dst + (14 * stride), Avx512F.Shuffle4x128(v6, v14, 0xDD));
        Avx512F.Store(dst + (15 * stride), Avx512F.Shuffle4x128(v7, v15, 0xDD));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(float* a, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        if (Avx512F.IsSupported)
        {
            Kernel12x32Avx512(a, b, kc, c, ldc, overwrite);
        }
        else if (Fma.IsSupported && Avx.IsSupported)
        {
            Kernel6x16Fma(a, b, kc, c, ldc, overwrite);
        }
        else
        {
            KernelScalar(a, b, kc, c, ldc, overwrite);
        }
    }

    // 24 accumulators + 2 B vectors + 1 broadcast = 27 of the 32 zmm registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel12x32Avx512(float* a, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default, c90 = default, c91 = default;
        Vector512<float> ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a[8]);
            c80 = Avx512F.FusedMultiplyAdd(x, b0, c80);
            c81 = Avx512F.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a[9]);
            c90 = Avx512F.FusedMultiplyAdd(x, b0, c90);
            c91 = Avx512F.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a[10]);
            ca0 = Avx512F.FusedMultiplyAdd(x, b0, ca0);
            ca1 = Avx512F.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a[11]);
            cb0 = Avx512F.FusedMultiplyAdd(x, b0, cb0);
            cb1 = Avx512F.FusedMultiplyAdd(x, b1, cb1);
            a += 12;
            b += 32;
        }

        Store512(c, overwrite, c00, c01);
        Store512(c + ldc, overwrite, c10, c11);
        Store512(c + (2 * ldc), overwrite, c20, c21);
        Store512(c + (3 * ldc), overwrite, c30, c31);
        Store512(c + (4 * ldc), overwrite, c40, c41);
        Store512(c + (5 * ldc), overwrite, c50, c51);
        Store512(c + (6 * ldc), overwrite, c60, c61);
        Store512(c + (7 * ldc), overwrite, c70, c71);
        Store512(c + (8 * ldc), overwrite, c80, c81);
        Store512(c + (9 * ldc), overwrite, c90, c91);
        Store512(c + (10 * ldc), overwrite, ca0, ca1);
        Store512(c + (11 * ldc), overwrite, cb0, cb1);
    }

    /// <summary>
    /// The 12x32 kernel's work for the first <paramref name="rows"/> (at most 8) rows of a strip packed 12 high:
    /// 8 or 4 rows of accumulators, the other rows' products, all zero padding, not computed.
    /// </summary>
    private static void PartialRowsAvx512(float* a, float* b, int kc, float* c, int ldc, bool overwrite, int rows)
    {
        if (rows > 4)
        {
            Kernel8x32Avx512(a, b, kc, c, ldc, overwrite, rows);
        }
        else
        {
            Kernel4x32Avx512(a, b, kc, c, ldc, overwrite, rows);
        }
    }

    /// <summary>The first 1..4 rows of a strip packed 12 high; stores only those rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x32Avx512(float* a, float* b, int kc, float* c, int ldc, bool overwrite, int rows)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            a += 12;
            b += 32;
        }

        Store512(c, overwrite, c00, c01);
        if (rows > 1)
        {
            Store512(c + ldc, overwrite, c10, c11);
        }

        if (rows > 2)
        {
            Store512(c + (2 * ldc), overwrite, c20, c21);
        }

        if (rows > 3)
        {
            Store512(c + (3 * ldc), overwrite, c30, c31);
        }
    }

    /// <summary>The first 5..8 rows of a strip packed 12 high; stores only those rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32Avx512(float* a, float* b, int kc, float* c, int ldc, bool overwrite, int rows)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            a += 12;
            b += 32;
        }

        Store512(c, overwrite, c00, c01);
        Store512(c + ldc, overwrite, c10, c11);
        Store512(c + (2 * ldc), overwrite, c20, c21);
        Store512(c + (3 * ldc), overwrite, c30, c31);
        Store512(c + (4 * ldc), overwrite, c40, c41);
        if (rows > 5)
        {
            Store512(c + (5 * ldc), overwrite, c50, c51);
        }

        if (rows > 6)
        {
            Store512(c + (6 * ldc), overwrite, c60, c61);
        }

        if (rows > 7)
        {
            Store512(c + (7 * ldc), overwrite, c70, c71);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, bool overwrite, Vector512<float> v0, Vector512<float> v1)
    {
        if (!overwrite)
        {
            v0 = Avx512F.Add(v0, Avx512F.LoadVector512(c));
            v1 = Avx512F.Add(v1, Avx512F.LoadVector512(c + 16));
        }

        Avx512F.Store(c, v0);
        Avx512F.Store(c + 16, v1);
    }

    // 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16Fma(float* a, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }

        Store256(c, overwrite, c00, c01);
        Store256(c + ldc, overwrite, c10, c11);
        Store256(c + (2 * ldc), overwrite, c20, c21);
        Store256(c + (3 * ldc), overwrite, c30, c31);
        Store256(c + (4 * ldc), overwrite, c40, c41);
        Store256(c + (5 * ldc), overwrite, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, bool overwrite, Vector256<float> v0, Vector256<float> v1)
    {
        if (!overwrite)
        {
            v0 = Avx.Add(v0, Avx.LoadVector256(c));
            v1 = Avx.Add(v1, Avx.LoadVector256(c + 8));
        }

        Avx.Store(c, v0);
        Avx.Store(c + 8, v1);
    }

    private static void KernelScalar(float* a, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        int mr = MR;
        int nr = NR;
        float* acc = stackalloc float[mr * nr];
        new Span<float>(acc, mr * nr).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < mr; r++)
            {
                float x = a[(p * mr) + r];
                for (int j = 0; j < nr; j++)
                {
                    acc[(r * nr) + j] += x * b[(p * nr) + j];
                }
            }
        }

        for (int r = 0; r < mr; r++)
        {
            for (int j = 0; j < nr; j++)
            {
                c[((long)r * ldc) + j] = overwrite ? acc[(r * nr) + j] : c[((long)r * ldc) + j] + acc[(r * nr) + j];
            }
        }
    }
}
