using System;
using System.Diagnostics;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

[Collection(ThreadSettingsCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class SgemmBenchmarks
{
    private readonly ITestOutputHelper _output;

    public SgemmBenchmarks(ITestOutputHelper output) => _output = output;

    [BenchmarkFact]
    public void SquareAndConvShapes()
    {
        _output.WriteLine($"kernel {Sgemm.KernelName}, {Environment.ProcessorCount} logical cores");
        Measure("256^3 NN", false, false, 256, 256, 256);
        Measure("1024^3 NN", false, false, 1024, 1024, 1024);
        Measure("1024^3 TN", true, false, 1024, 1024, 1024);
        Measure("1024^3 NT", false, true, 1024, 1024, 1024);
        int saved = Sgemm.MaxThreads;
        Sgemm.MaxThreads = 1;
        Measure("1 thread: 256^3 NN", false, false, 256, 256, 256);
        Measure("1 thread: 1024^3 NN", false, false, 1024, 1024, 1024);
        Sgemm.MaxThreads = saved;
        // Conv2d 64->64, 3x3, 32x32 image, one sample: W[64, 576] x col[576, 1024].
        Measure("conv fwd 64x1024x576", false, false, 64, 1024, 576);
        // Its weight gradient: gout[64, 1024] x col^T.
        Measure("conv dW 64x576x1024 (NT)", false, true, 64, 576, 1024);
        // Its input gradient: W^T[576, 64] x gout[64, 1024].
        Measure("conv dX 576x1024x64 (TN)", true, false, 576, 1024, 64);
    }

    /// <summary>
    /// Shapes whose M leaves a last strip of 4 or 8 rows under the 12-row kernel (32 and 64 channels, batch 32):
    /// the reason for the 4- and 8-row kernels. Measured side by side with the old path (the strip computed 12 high
    /// into scratch), one thread, on the loaded 2-core VM: 32x392x16 68 -> 90 GFLOP/s, 32x4096x128 87 -> 99,
    /// 64x256x64 108 -> 125, 64x294x512 107 -> 114, NT 64x512x294 122 -> 126.
    /// </summary>
    [BenchmarkFact]
    public void ShortLastStrips()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 1;
        Measure("1 thread: 32x392x16 NN", false, false, 32, 392, 16);
        Measure("1 thread: 32x4096x128 NN", false, false, 32, 4096, 128);
        Measure("1 thread: 64x256x64 NN", false, false, 64, 256, 64);
        Measure("1 thread: 64x294x512 NN", false, false, 64, 294, 512);
        Measure("1 thread: 64x512x294 NT", false, true, 64, 512, 294);
    }

    /// <summary>
    /// A transposed A (a transposed convolution's weight, W^T) against the same product with A as stored, one
    /// thread: the difference is packing A, which runs once per convolution group.
    /// </summary>
    [BenchmarkFact]
    public void TransposedAPacking()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 1;
        for (int round = 0; round < 3; round++)
        {
            // seed002's decoder.3 (256 -> 128 channels, 4x4): cols[2048, 16 samples * 16] = W^T x.
            Measure("2048x256x256 NN", false, false, 2048, 256, 256);
            Measure("2048x256x256 TN", true, false, 2048, 256, 256);
        }
    }

    /// <summary>
    /// fashion_mlp's products at batch 128 (the 784 -> 400 layer's forward, weight and input gradients), one and two
    /// threads, and the same 128 rows over growing k.
    /// </summary>
    [BenchmarkFact]
    public void FashionMlpProducts()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        // One k block (k <= 256) against two, the second adding to C: a batch of 128 rows does little work per pass over C.
        Sgemm.MaxThreads = 1;
        foreach (int k in new[] { 128, 256, 300, 400, 512 })
        {
            Measure($"1t 128x784x{k} NN", false, false, 128, 784, k);
        }

        foreach (int threads in new[] { 1, 2 })
        {
            Sgemm.MaxThreads = threads;
            Measure($"{threads}t fwd 128x400x784 NT", false, true, 128, 400, 784);
            Measure($"{threads}t dW 400x784x128 TN", true, false, 400, 784, 128);
            Measure($"{threads}t dX 128x784x400 NN", false, false, 128, 784, 400);
        }
    }

    /// <summary>
    /// Weight gradients of convolutions from or to few channels, one thread: seed002's first layer (32 x 48 taps over
    /// 2,048 positions), fashion_conv's first (32 x 16 over 12,544) and seed002's last transposed one.
    /// </summary>
    [BenchmarkFact]
    public void SmallOutputLongK()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 1;
        for (int round = 0; round < 3; round++)
        {
            Measure("32x48x2048 NT", false, true, 32, 48, 2048);
            Measure("32x16x12544 NT", false, true, 32, 16, 12544);
            Measure("64x48x4096 NT", false, true, 64, 48, 4096);
        }
    }

    [BenchmarkFact]
    public void ParallelThresholdSweep()
    {
        long saved = Sgemm.ParallelThreshold;
        try
        {
            Sgemm.ParallelThreshold = 0;
            foreach (int s in new[] { 32, 48, 64, 96, 128, 192 })
            {
                Sgemm.MaxThreads = 1;
                Measure($"{s}^3 1 thread", false, false, s, s, s);
                Sgemm.MaxThreads = 2;
                Measure($"{s}^3 2 threads", false, false, s, s, s);
            }
        }
        finally
        {
            Sgemm.ParallelThreshold = saved;
            Sgemm.MaxThreads = Environment.ProcessorCount;
        }
    }

    [BenchmarkFact]
    public void ParallelPathAllocation()
    {
        var a = new float[256 * 256];
        var c = new float[256 * 256];
        Sgemm.Multiply(false, false, 256, 256, 256, a, 256, a, 256, c, 256, false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Sgemm.Multiply(false, false, 256, 256, 256, a, 256, a, 256, c, 256, false);
        }

        _output.WriteLine($"parallel GEMM allocates {(GC.GetAllocatedBytesForCurrentThread() - before) / 100.0:F0} bytes per call on the calling thread");
    }

    private static bool s_warm;

    /// <summary>
    /// Three seconds of products of every transpose before the first measurement: in a process's first few hundred
    /// milliseconds the packing runs several times slower than in steady state (docs/performance.md), which
    /// short trials of small products caught as a rate half the large ones'.
    /// </summary>
    private static void WarmUpOnce()
    {
        if (s_warm)
        {
            return;
        }

        var a = new float[512 * 512];
        var b = new float[512 * 512];
        var c = new float[512 * 512];
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < 3)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    Sgemm.Multiply(ta, tb, 128, 500, 300, a, ta ? 128 : 300, b, tb ? 300 : 500, c, 500, false);
                    Sgemm.Multiply(ta, tb, 40, 20, 600, a, ta ? 40 : 600, b, tb ? 600 : 20, c, 20, false);
                }
            }
        }

        s_warm = true;
    }

    private void Measure(string name, bool ta, bool tb, int m, int n, int k)
    {
        WarmUpOnce();
        var rng = new Rng(1);
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, false);
        double flops = 2.0 * m * n * k;
        int reps = Math.Max(3, (int)(4e9 / flops));
        double best = double.MaxValue;
        for (int trial = 0; trial < 3; trial++)
        {
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < reps; r++)
            {
                Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, false);
            }

            best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
        }

        _output.WriteLine($"{name,-28} {flops / best / 1e9,7:F1} GFLOP/s  ({best * 1e3:F3} ms)");
    }
}

[Trait("Category", "Benchmark")]
public sealed class ConvBreakdownBenchmarks
{
    private readonly ITestOutputHelper _output;

    public ConvBreakdownBenchmarks(ITestOutputHelper output) => _output = output;

    /// <summary>Where a Conv2d forward spends its time: im2col, GEMM, layout copy (32->64, k4 s2 p1, 14x14, batch 64).</summary>
    [BenchmarkFact]
    public void Conv2dForwardParts()
    {
        const int n = 64, cin = 32, cout = 64;
        var g = new ConvGeometry(14, 14, 4, 4, 2, 2, 1, 1, 1, 1);
        int rows = cin * g.KernelArea, width = n * g.OutArea;
        var rng = new Rng(1);
        var x = new float[n * cin * g.InArea];
        var w = new float[cout * rows];
        rng.FillUniform(x, -1, 1);
        rng.FillUniform(w, -1, 1);
        var cols = new float[rows * width];
        var y = new float[cout * width];
        var yb = new float[cout * width];
        double Time(Action a)
        {
            a();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 20; i++)
            {
                a();
            }

            return sw.Elapsed.TotalMilliseconds / 20;
        }

        double tIm2col = Time(() =>
        {
            for (int s = 0; s < n; s++)
            {
                Im2Col.Gather(x.AsSpan(s * cin * g.InArea, cin * g.InArea), cin, g, cols.AsSpan(s * g.OutArea), width);
            }
        });
        double tGemm = Time(() => Sgemm.Multiply(false, false, cout, width, rows, w, rows, cols, width, y, width, false));
        double tCopy = Time(() => ChannelMajor.ToBatch(y, n, cout, g.OutArea, yb));
        double tCol2im = Time(() =>
        {
            for (int s = 0; s < n; s++)
            {
                Im2Col.ScatterAdd(cols.AsSpan(s * g.OutArea), cin, g, width, x.AsSpan(s * cin * g.InArea, cin * g.InArea));
            }
        });
        _output.WriteLine($"im2col {tIm2col:F3} ms, GEMM {tGemm:F3} ms ({2.0 * cout * width * rows / tGemm / 1e6:F1} GFLOP/s), NCHW copy {tCopy:F3} ms, col2im {tCol2im:F3} ms");
    }
}
