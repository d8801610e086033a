using System;
using System.Diagnostics;

namespace VaeGen.Runtime.Benchmarking;

/// <summary>The best window of a <see cref="Throughput.Measure"/> run.</summary>
/// <param name="SamplesPerSecond">Samples per second in the best window.</param>
/// <param name="Steps">Steps run in that window.</param>
/// <param name="Seconds">That window's length in seconds (at least the window length asked for).</param>
public readonly record struct ThroughputResult(double SamplesPerSecond, long Steps, double Seconds);

/// <summary>
/// The one timer of every speed figure VaeGen reports (<c>vaegen bench</c>, bench/VaeGen.Benchmarks for the managed and
/// TorchSharp columns; tools/torch/bench.py does the same for PyTorch): a few untimed warm-up steps (JIT, buffers,
/// allocator), then the time split into <see cref="Windows"/> windows of steps run back to back, and the best window's
/// rate. The best window, not the mean, because on a shared machine the noise only ever slows a window down.
/// </summary>
public static class Throughput
{
    /// <summary>Untimed steps before the first window.</summary>
    public const int WarmupSteps = 3;

    /// <summary>How many windows the time is split into.</summary>
    public const int Windows = 3;

    /// <summary>Runs <paramref name="step"/> (one batch of <paramref name="batch"/> samples) for about <paramref name="seconds"/> after the warm-up.</summary>
    /// <exception cref="ArgumentOutOfRangeException">batch is not positive, or seconds is not a positive finite number.</exception>
    public static ThroughputResult Measure(Action step, int batch, double seconds)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (!(seconds > 0) || double.IsInfinity(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "seconds must be a positive finite number");
        }

        for (int i = 0; i < WarmupSteps; i++)
        {
            step();
        }

        var best = new ThroughputResult(0, 0, 0);
        long window = Math.Max(1, (long)(seconds / Windows * Stopwatch.Frequency));
        for (int w = 0; w < Windows; w++)
        {
            long start = Stopwatch.GetTimestamp();
            long steps = 0;
            long elapsed;
            do
            {
                step();
                steps++;
                elapsed = Stopwatch.GetTimestamp() - start;
            }
            while (elapsed < window);
            double windowSeconds = (double)elapsed / Stopwatch.Frequency;
            double rate = steps * (double)batch / windowSeconds;
            if (rate > best.SamplesPerSecond)
            {
                best = new ThroughputResult(rate, steps, windowSeconds);
            }
        }

        return best;
    }
}
