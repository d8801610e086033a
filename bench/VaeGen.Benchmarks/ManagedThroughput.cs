using System;
using System.Diagnostics;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Benchmarks;

/// <summary>
/// Samples per second of a generated model, timed the way tools/torch/bench.py times PyTorch: one
/// fixed batch uniform in the spec's range, a few untimed warm-up steps, then the time split into
/// windows, steps run back to back in each, and the best window's rate reported.
/// </summary>
internal static class ManagedThroughput
{
    private const int WarmupSteps = 3;
    private const int Windows = 3;

    /// <summary>Training: TrainStep = zero grads, forward (encode, eps, decode, loss), backward, Adam step.</summary>
    public static double Train(BenchmarkCase c, double seconds)
    {
        VaeModel model = c.Create();
        Tensor x = RandomBatch(model.Config, c);
        return Best(() => model.TrainStep(x), c.Batch, seconds);
    }

    /// <summary>Inference in evaluation mode: Forward = encode, draw z, decode (into the declared layout).</summary>
    public static double Infer(BenchmarkCase c, double seconds)
    {
        VaeModel model = c.Create();
        model.Eval();
        Tensor x = RandomBatch(model.Config, c);
        return Best(() => model.Forward(x), c.Batch, seconds);
    }

    private static double Best(Action step, int batch, double seconds)
    {
        for (int i = 0; i < WarmupSteps; i++)
        {
            step();
        }

        double best = 0;
        long window = (long)(seconds / Windows * Stopwatch.Frequency);
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
            best = Math.Max(best, steps * batch / ((double)elapsed / Stopwatch.Frequency));
        }

        return best;
    }

    private static Tensor RandomBatch(VaeConfig config, BenchmarkCase c)
    {
        var x = new Tensor(config.BatchShape(c.Batch));
        new Rng(12345).FillUniform(x.Span, c.RangeMin, c.RangeMax);
        return x;
    }
}
