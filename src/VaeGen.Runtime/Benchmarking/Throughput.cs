using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace VaeGen.Runtime.Benchmarking;

/// <summary>The best window of a <see cref="Throughput.Measure"/> run.</summary>
/// <param name="SamplesPerSecond">Samples per second in the best window.</param>
/// <param name="Steps">Steps run in that window.</param>
/// <param name="Seconds">That window's length in seconds (at least the window length asked for).</param>
public readonly record struct ThroughputResult(double SamplesPerSecond, long Steps, double Seconds);

/// <summary>
/// One contender of <see cref="Throughput.MeasureInterleaved"/>: a step of <paramref name="Batch"/> samples, and what must
/// happen before each of its windows (a thread count to set, say).
/// </summary>
/// <param name="Step">One step.</param>
/// <param name="Batch">Samples per step.</param>
/// <param name="BeforeWindow">Run before the contender's warm-up and before each of its windows; null for nothing.</param>
public sealed record ThroughputContender(Action Step, int Batch, Action? BeforeWindow = null);

/// <summary>
/// The one timer of every speed figure VaeGen reports (<c>vaegen bench</c>, bench/VaeGen.Benchmarks for the managed and
/// TorchSharp columns; tools/torch/bench.py does the same for PyTorch): a few untimed warm-up steps (JIT, buffers,
/// allocator), then the time split into <see cref="Windows"/> windows of steps run back to back, and the best window's
/// rate. The best window, not the mean, because on a shared machine the noise only ever slows a window down.
/// </summary>
/// <remarks>
/// Several contenders can be timed side by side (<see cref="MeasureInterleaved"/>): each gets the same warm-up and
/// windows, but their windows take turns, so a slow stretch of the machine falls on all of them instead of on whichever
/// ran then. On the development VM the TorchSharp column of one spec moved by 40% between runs minutes apart, timed
/// one after the other.
/// </remarks>
public static class Throughput
{
    /// <summary>Untimed steps before the first window.</summary>
    public const int WarmupSteps = 3;

    /// <summary>How many windows the time is split into.</summary>
    public const int Windows = 3;

    /// <summary>Runs <paramref name="step"/> (one batch of <paramref name="batch"/> samples) for about <paramref name="seconds"/> after the warm-up.</summary>
    /// <exception cref="ArgumentOutOfRangeException">batch is not positive, or seconds is not a positive finite number.</exception>
    public static ThroughputResult Measure(Action step, int batch, double seconds) =>
        MeasureInterleaved([new ThroughputContender(step, batch)], seconds)[0];

    /// <summary>
    /// Times each contender as <see cref="Measure"/> does, about <paramref name="seconds"/> each after its warm-up, with
    /// the windows taking turns: the first window of every contender, then the second of every contender, and so on.
    /// </summary>
    /// <returns>Each contender's best window, in the contenders' order.</returns>
    /// <exception cref="ArgumentException">No contenders.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A batch is not positive, or seconds is not a positive finite number.</exception>
    public static ThroughputResult[] MeasureInterleaved(IReadOnlyList<ThroughputContender> contenders, double seconds)
    {
        ArgumentNullException.ThrowIfNull(contenders);
        if (contenders.Count == 0)
        {
            throw new ArgumentException("At least one contender is needed.", nameof(contenders));
        }

        foreach (ThroughputContender contender in contenders)
        {
            ArgumentNullException.ThrowIfNull(contender, nameof(contenders));
            ArgumentNullException.ThrowIfNull(contender.Step, nameof(contenders));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contender.Batch, nameof(contenders));
        }

        if (!(seconds > 0) || double.IsInfinity(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "seconds must be a positive finite number");
        }

        foreach (ThroughputContender contender in contenders)
        {
            contender.BeforeWindow?.Invoke();
            for (int i = 0; i < WarmupSteps; i++)
            {
                contender.Step();
            }
        }

        var best = new ThroughputResult[contenders.Count];
        long window = Math.Max(1, (long)(seconds / Windows * Stopwatch.Frequency));
        for (int w = 0; w < Windows; w++)
        {
            for (int i = 0; i < contenders.Count; i++)
            {
                ThroughputContender contender = contenders[i];
                contender.BeforeWindow?.Invoke();
                long start = Stopwatch.GetTimestamp();
                long steps = 0;
                long elapsed;
                do
                {
                    contender.Step();
                    steps++;
                    elapsed = Stopwatch.GetTimestamp() - start;
                }
                while (elapsed < window);
                double windowSeconds = (double)elapsed / Stopwatch.Frequency;
                double rate = steps * (double)contender.Batch / windowSeconds;
                if (rate > best[i].SamplesPerSecond)
                {
                    best[i] = new ThroughputResult(rate, steps, windowSeconds);
                }
            }
        }

        return best;
    }
}
