using System;
using System.Collections.Generic;
using System.Diagnostics;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Optim;
using VaeGen.Runtime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

[Trait("Category", "Benchmark")]
public sealed class TrainingStepBenchmarks
{
    private readonly ITestOutputHelper _output;

    public TrainingStepBenchmarks(ITestOutputHelper output) => _output = output;

    /// <summary>A 28x28 convolutional VAE (latent 16, batch 64): whole step and per-layer times.</summary>
    [BenchmarkFact]
    public void ConvVaeStep()
    {
        const int batch = 64, latent = 16;
        var rng = new Rng(1);
        var encoder = new Sequential(
            new Conv2d(1, 32, 4, stride: 2, padding: 1, rng: rng), new ReLU(),
            new Conv2d(32, 64, 4, stride: 2, padding: 1, rng: rng), new BatchNorm2d(64), new ReLU(),
            new Flatten(), new Linear(64 * 7 * 7, 2 * latent, rng: rng));
        var decoder = new Sequential(
            new Linear(latent, 64 * 7 * 7, rng: rng), new ReLU(), new Unflatten(1, 64, 7, 7),
            new ConvTranspose2d(64, 32, 4, stride: 2, padding: 1, rng: rng), new BatchNorm2d(32), new ReLU(),
            new ConvTranspose2d(32, 1, 4, stride: 2, padding: 1, rng: rng));
        var vae = new Sequential().Add("encoder", encoder).Add("decoder", decoder);
        var adam = new Adam(vae.NamedParameters());
        var sampler = new Reparameterize(rng.Fork());
        var loss = new VaeLoss(ReconstructionTerm.BceLogits);
        Tensor x = TestUtil.Random(new Rng(2), 0, 1, batch, 1, 28, 28);
        var mu = new Tensor(batch, latent);
        var logVar = new Tensor(batch, latent);
        var gStats = new Tensor(batch, 2 * latent);
        var times = new Dictionary<string, double>();

        Tensor Run(Sequential seq, Tensor input, bool backward, bool timed)
        {
            Tensor t = input;
            int count = seq.Children.Count;
            for (int j = 0; j < count; j++)
            {
                int i = backward ? count - 1 - j : j;
                (string name, Layer layer) = seq.Children[i];
                long start = Stopwatch.GetTimestamp();
                t = backward ? layer.Backward(t) : layer.Forward(t);
                if (timed)
                {
                    string key = $"{(seq == encoder ? "enc" : "dec")}.{name} {layer.GetType().Name} {(backward ? "bwd" : "fwd")}";
                    times[key] = times.GetValueOrDefault(key) + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }

            return t;
        }

        void Step(bool timed)
        {
            adam.ZeroGrad();
            Tensor stats = Run(encoder, x, false, timed);
            for (int i = 0; i < batch; i++)
            {
                Array.Copy(stats.Data, i * 2 * latent, mu.Data, i * latent, latent);
                Array.Copy(stats.Data, (i * 2 * latent) + latent, logVar.Data, i * latent, latent);
            }

            Tensor logits = Run(decoder, sampler.Forward(mu, logVar), false, timed);
            loss.Forward(logits, x, mu, logVar);
            loss.Backward();
            Tensor gz = Run(decoder, loss.GradReconstruction, true, timed);
            sampler.Backward(gz, loss.GradMu, loss.GradLogVar);
            for (int i = 0; i < batch; i++)
            {
                Array.Copy(loss.GradMu.Data, i * latent, gStats.Data, i * 2 * latent, latent);
                Array.Copy(loss.GradLogVar.Data, i * latent, gStats.Data, (i * 2 * latent) + latent, latent);
            }

            Run(encoder, gStats, true, timed);
            long start = Stopwatch.GetTimestamp();
            adam.Step();
            if (timed)
            {
                times["adam"] = times.GetValueOrDefault("adam") + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        for (int i = 0; i < 5; i++)
        {
            Step(false);
        }

        const int steps = 30;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            Step(false);
        }

        _output.WriteLine($"conv VAE 28x28, batch {batch}: {sw.Elapsed.TotalMilliseconds / steps:F2} ms per training step (loss {loss.Reconstruction + loss.Kl:F1})");
        for (int i = 0; i < steps; i++)
        {
            Step(true);
        }

        foreach (KeyValuePair<string, double> kv in times)
        {
            _output.WriteLine($"  {kv.Key,-40} {kv.Value / steps,7:F3} ms");
        }
    }
}

[Collection(ThreadSettingsCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class ElementwiseBenchmarks
{
    private readonly ITestOutputHelper _output;

    public ElementwiseBenchmarks(ITestOutputHelper output) => _output = output;

    /// <summary>
    /// Forward and backward time per million elements for each pointwise and per-plane layer, on one thread and on all: the
    /// median of 21 calls after half a second of calls, since the first ones run tier-0 code (without the warm-up,
    /// Sigmoid's forward looked 9x slower and batch norm's 40x). Forward and backward are timed apart, each on buffers it
    /// has just used.
    /// </summary>
    [BenchmarkFact]
    public void ActivationsPerMillionElements()
    {
        Tensor x = TestUtil.Random(new Rng(1), -4, 4, 64, 16, 32, 32);
        int saved = Kernels.Sgemm.MaxThreads;
        try
        {
            foreach (Layer layer in new Layer[] { new ReLU(), new LeakyReLU(), new Sigmoid(), new Tanh(), new GELU(), new SiLU(), new ELU(), new BatchNorm2d(16), new MaxPool2d(2), new AvgPool2d(2), new Upsample(2, 2, UpsampleMode.Bilinear), new Upsample(2, 2, UpsampleMode.Nearest), new ZeroPad2d(1, 1, 1, 1) })
            {
                Tensor g = layer.Forward(x);
                double scale = 1e6 / x.Length;
                string line = $"{(layer is Upsample up ? $"Upsample {up.Mode}" : layer.GetType().Name),-17}";
                foreach (int threads in new[] { 1, saved })
                {
                    Kernels.Sgemm.MaxThreads = threads;
                    double fwd = Median(() => layer.Forward(x));
                    double bwd = Median(() => layer.Backward(g));
                    line += $" | {threads} threads: fwd {fwd * scale,7:F3} bwd {bwd * scale,7:F3}";
                }

                _output.WriteLine(line + " ms per 1M input elements");
            }
        }
        finally
        {
            Kernels.Sgemm.MaxThreads = saved;
        }
    }

    /// <summary>
    /// Elementwise passes in cache-sized chunks (<see cref="Kernels.ForkJoin.Chunks"/>) against one TensorPrimitives call
    /// over the whole span, which stores past the caches from 256 KB on. Each pass is followed by what reads its result
    /// next (a sum stands in for the next layer); the two ways interleaved round by round, the median of 15 per-round
    /// ratios. The shapes are seed002_rgb64's first activation, fashion_conv's, fashion_mlp's loss gradient (three passes,
    /// two in place), and the second slot's weight gradient of VanillaVAE's 256 -> 512 convolution added in place.
    /// </summary>
    [BenchmarkFact]
    public void ChunksAgainstWholeSpans()
    {
        var rng = new Rng(2);
        Tensor logits = TestUtil.Random(rng, -4, 4, 128, 1, 28, 28);
        Tensor target = TestUtil.Random(rng, 0, 1, 128, 1, 28, 28);
        Tensor mu = TestUtil.Random(rng, -1, 1, 128, 20);
        Tensor logVar = TestUtil.Random(rng, -1, 1, 128, 20);
        var loss = new VaeLoss(ReconstructionTerm.BceLogits);
        loss.Forward(logits, target, mu, logVar);
        Tensor map = TestUtil.Random(rng, -1, 1, 32, 32, 32, 32);
        Tensor mapGradient = TestUtil.Random(rng, -1, 1, 32, 32, 32, 32);
        Tensor fashionMap = TestUtil.Random(rng, -1, 1, 128, 32, 14, 14);
        var relu = new ReLU();
        var sigmoid = new Sigmoid();
        float[] weightGradient = new float[512 * 256 * 9], slotPartial = new float[512 * 256 * 9];
        rng.FillUniform(slotPartial, -1, 1);
        (string Name, Action Pass)[] cases =
        [
            ("bce_logits gradient [128, 784]", loss.Backward),
            ("ReLU fwd + bwd [32, 32, 32, 32], read", () => Read(relu.Forward(map), relu.Backward(mapGradient))),
            ("ReLU fwd [128, 32, 14, 14], read", () => Read(relu.Forward(fashionMap), relu.Forward(fashionMap))),
            ("Sigmoid fwd + bwd [32, 32, 32, 32]", () => sigmoid.Backward(sigmoid.Forward(map))),
            ("slot partial added in place, 1.2M", () => Kernels.CachedElementwise.Add(weightGradient, slotPartial, weightGradient)),
        ];
        int saved = Kernels.Sgemm.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, saved })
            {
                Kernels.Sgemm.MaxThreads = threads;
                foreach ((string name, Action pass) in cases)
                {
                    Median(pass);
                    var ratios = new List<double>();
                    for (int round = 0; round < 15; round++)
                    {
                        double whole = 0, chunked = 0;
                        foreach (bool chunks in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                        {
                            Kernels.ForkJoin.ChunkPasses = chunks;
                            double ms = Median(pass, warmUpSeconds: 0);
                            (whole, chunked) = chunks ? (whole, ms) : (ms, chunked);
                        }

                        ratios.Add(whole / chunked);
                    }

                    ratios.Sort();
                    _output.WriteLine($"{threads} threads, {name,-38}: whole span / chunks {ratios[7]:F2}x (rounds {ratios[0]:F2}-{ratios[^1]:F2})");
                }
            }
        }
        finally
        {
            Kernels.Sgemm.MaxThreads = saved;
            Kernels.ForkJoin.ChunkPasses = true;
        }
    }

    /// <summary>What the next layer does first with a pass's results: reads them all.</summary>
    private static void Read(Tensor first, Tensor second) =>
        GC.KeepAlive(System.Numerics.Tensors.TensorPrimitives.Sum(first.Span) + System.Numerics.Tensors.TensorPrimitives.Sum(second.Span));

    private static double Median(Action call, double warmUpSeconds = 0.5)
    {
        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < warmUpSeconds;)
        {
            call();
        }

        var times = new double[21];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[times.Length / 2];
    }
}
