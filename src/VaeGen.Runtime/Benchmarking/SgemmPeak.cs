using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;

namespace VaeGen.Runtime.Benchmarking;

/// <summary>
/// This machine's single-precision matrix-product rate, the ceiling a model's FLOP rate is compared with: VaeGen's
/// own <see cref="Sgemm"/> on square row-major products large enough that packing and threading costs vanish,
/// timed by <see cref="Throughput"/> like every other figure.
/// </summary>
public static class SgemmPeak
{
    /// <summary>The side of the square product: 1024^3 multiply-adds, tens of milliseconds per product.</summary>
    public const int Size = 1024;

    /// <summary>Measures C = A B on <paramref name="threads"/> threads for about <paramref name="seconds"/>.</summary>
    /// <param name="threads">Threads the product may use (1 for the single-core peak).</param>
    /// <param name="seconds">How long to measure, after the warm-up.</param>
    /// <returns>FLOP/s (2 per multiply-add) of the best window.</returns>
    public static double Measure(int threads, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var a = new float[Size * Size];
        var b = new float[Size * Size];
        var c = new float[Size * Size];
        var rng = new Rng(1);
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        int saved = Sgemm.MaxThreads;
        Sgemm.MaxThreads = threads;
        try
        {
            ThroughputResult result = Throughput.Measure(() => Sgemm.Multiply(false, false, Size, Size, Size, a, Size, b, Size, c, Size, accumulate: false), 1, seconds);
            return result.SamplesPerSecond * 2.0 * Size * Size * Size;
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }
}
