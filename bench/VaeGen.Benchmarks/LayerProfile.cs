using System;
using System.Collections.Generic;
using System.Diagnostics;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Benchmarks;

/// <summary>
/// Where a training step's time goes: each top-level layer of the encoder, the heads and the decoder timed on its own
/// (forward, then backward), on the activations a real forward pass of the benchmark batch gives it.
/// </summary>
/// <remarks>
/// Each layer runs <c>forward; backward</c> pairs back to back on its captured input with a fixed gradient of its
/// output's shape, and the median pair over the window is reported, so one layer's figure is not disturbed by the
/// others' cache traffic more than in a real step. The last rows compare the sum with a whole <c>TrainStep</c>.
/// Whole training steps run for <see cref="WarmUp"/> first: in a process's first second the JIT still runs tier-0
/// code, which made the first layers profiled (VanillaVAE's encoder.0 and encoder.1) look 5-10x slower than they are.
/// </remarks>
internal static class LayerProfile
{
    /// <summary>How long whole training steps run before anything is timed, so every kernel is at its final JIT tier.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static void Print(BenchmarkCase c, double seconds)
    {
        VaeModel model = c.Create();
        Tensor x = ManagedThroughput.RandomBatch(model.Config, c);

        // The per-layer pass itself first, untimed: its own code (and each layer called on its own) must reach its final
        // JIT tier too. Without this pass the first layers timed ran 1.5-2x slower for their first seconds (fashion_conv's
        // encoder.5 backward: 6.8 ms, against 1.5 ms with tiered compilation off), and the layers summed to 124% of a step.
        ProfileLayers(model, x, new List<(string, string, double, double)>(), seconds / 8);
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < WarmUp;)
        {
            model.TrainStep(x);
        }

        var rows = new List<(string Name, string Shape, double Forward, double Backward)>();
        ProfileLayers(model, x, rows, seconds);

        double step = Median(() => model.TrainStep(x), seconds / 4);
        double gradients = Median(() => model.ComputeGradients(x), seconds / 8);
        double adam = Median(() => model.Optimizer.Step(), seconds / 8);
        double zero = Median(model.ZeroGrad, seconds / 16);
        double inference = Median(() => model.Forward(x), seconds / 8);
        double sum = 0;
        Console.WriteLine($"## {c.Name}, batch {c.Batch}: one training step, per top-level layer (median ms)");
        Console.WriteLine();
        Console.WriteLine("| layer | output | forward ms | backward ms | share of step |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var (name, shape, forward, backward) in rows)
        {
            sum += forward + backward;
            Console.WriteLine($"| {name} | {shape} | {forward:F3} | {backward:F3} | {(forward + backward) / step:P0} |");
        }

        Console.WriteLine($"| layers' sum | | | {sum:F3} | {sum / step:P0} |");
        Console.WriteLine($"| whole TrainStep | | | {step:F3} | 100% |");
        Console.WriteLine($"| of which ComputeGradients | | | {gradients:F3} | {gradients / step:P0} |");
        Console.WriteLine($"| of which Adam step | | | {adam:F3} | {adam / step:P0} |");
        Console.WriteLine($"| of which ZeroGrad | | | {zero:F3} | {zero / step:P0} |");
        Console.WriteLine($"| Forward (train mode) | | {inference:F3} | | {inference / step:P0} |");
        Console.WriteLine();
    }

    /// <summary>Times every top-level layer on the activations of one real forward pass, about <paramref name="seconds"/> in all.</summary>
    private static void ProfileLayers(VaeModel model, Tensor x, List<(string Name, string Shape, double Forward, double Backward)> rows, double seconds)
    {
        // One real forward gives every layer its input; the channels-first batch is what the encoder sees.
        model.Forward(x);
        var rng = new Rng(7);
        double perLayer = seconds / 40;
        Tensor h = ChannelsFirst(model, x);
        h = ProfileSequential("encoder", model.Encoder, h, rows, rng, perLayer);
        Tensor mu = ProfileOne("fc_mu", model.FcMu, h, rows, rng, perLayer);
        ProfileOne("fc_logvar", model.FcLogVar, h, rows, rng, perLayer);
        ProfileSequential("decoder", model.Decoder, Copy(mu), rows, rng, perLayer);
    }

    private static Tensor ChannelsFirst(VaeModel model, Tensor x)
    {
        // The encoder sees the batch as [N, C, H, W] in the effective range (divided by the scale).
        VaeConfig config = model.Config;
        var result = new Tensor(x.Dim(0), config.Channels, config.Height, config.Width);
        new Rng(12345).FillUniform(result.Span, 0, 1);
        return result;
    }

    private static Tensor ProfileSequential(string prefix, Sequential sequential, Tensor input, List<(string, string, double, double)> rows, Rng rng, double seconds)
    {
        Tensor h = input;
        foreach (var (name, layer) in sequential.Children)
        {
            h = ProfileOne($"{prefix}.{name} {layer.GetType().Name}", layer, h, rows, rng, seconds);
        }

        return h;
    }

    private static Tensor ProfileOne(string name, Layer layer, Tensor input, List<(string, string, double, double)> rows, Rng rng, double seconds)
    {
        Tensor captured = Copy(input);
        Tensor output = Copy(layer.Forward(captured));
        var grad = new Tensor(output.Shape.ToArray());
        rng.FillUniform(grad.Span, -1, 1);
        double forward = Median(() => layer.Forward(captured), seconds / 2);
        double backward = Median(() =>
        {
            layer.Forward(captured);
            layer.Backward(grad);
        }, seconds / 2) - forward;
        rows.Add((name, output.ShapeString(), forward, Math.Max(0, backward)));
        return output;
    }

    private static Tensor Copy(Tensor t)
    {
        var copy = new Tensor(t.Shape.ToArray());
        t.Span.CopyTo(copy.Span);
        return copy;
    }

    /// <summary>The median of the call's time in ms over about <paramref name="seconds"/> (at least 5 calls, after 2 warm-ups).</summary>
    private static double Median(Action call, double seconds)
    {
        call();
        call();
        var times = new List<double>();
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (times.Count < 5 || Stopwatch.GetTimestamp() < end)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add((Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
