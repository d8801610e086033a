using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using VaeGen.Builder;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Optim;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Lowering;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Training-step time of the reference models in specs/*.vae.yaml at their benchmark batch sizes,
/// built through the spec's lowering (ModelBuilder, the interpreter the tool uses) and composed
/// step by step the way VaeModel runs them (encoder, fc_mu and fc_logvar heads, reparameterize,
/// decoder, loss, Adam), with per-layer forward/backward times.
/// Compare samples/s with tools/torch/bench.py on the same spec and batch.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class SpecModelBenchmarks
{
    private readonly ITestOutputHelper _output;

    public SpecModelBenchmarks(ITestOutputHelper output) => _output = output;

    [BenchmarkFact]
    public void Seed000() => Measure("seed000", 64);

    [BenchmarkFact]
    public void FashionMlp() => Measure("fashion_mlp", 128);

    [BenchmarkFact]
    public void FashionConv() => Measure("fashion_conv", 128);

    [BenchmarkFact]
    public void Seed002Rgb64() => Measure("seed002_rgb64", 32);

    [BenchmarkFact]
    public void VanillaVae64() => Measure("vanilla_vae64", 32);

    /// <summary>
    /// Training steps of the convolutional specs on one thread, on two with a slot per thread, on two with wide slots
    /// (see ConvWorkspace.Run), and on every larger count this machine has, interleaved round by round so a noisy
    /// stretch hits every schedule alike. Reports the best of the rounds' median step times.
    /// </summary>
    [BenchmarkFact]
    public void ConvolutionThreadScaling()
    {
        int savedWide = ConvWorkspace.WideFromThreads;
        var schedules = new List<(string Label, int Threads, int WideFrom)> { ("1 thread", 1, savedWide), ("2 threads, a slot each", 2, savedWide), ("2 threads, wide slots", 2, 2) };
        for (int threads = 3; threads <= Environment.ProcessorCount; threads++)
        {
            schedules.Add(($"{threads} threads{(threads >= savedWide ? ", wide slots" : ", a slot each")}", threads, savedWide));
        }

        using ThreadSettings saved = ThreadSettings.Save();
        foreach ((string name, int batch) in new[] { ("fashion_conv", 128), ("seed002_rgb64", 32), ("vanilla_vae64", 32) })
        {
            var model = new Model(TestUtil.LowerSpec(name), batch);
            var best = new double[schedules.Count];
            Array.Fill(best, double.MaxValue);
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < schedules.Count; i++)
                {
                    Sgemm.MaxThreads = schedules[i].Threads;
                    ConvWorkspace.WideFromThreads = schedules[i].WideFrom;
                    best[i] = Math.Min(best[i], model.MedianStepMilliseconds(steps: 20));
                }
            }

            _output.WriteLine($"{name}, batch {batch}, load {LoadAverage()}:");
            for (int i = 0; i < schedules.Count; i++)
            {
                _output.WriteLine($"  {schedules[i].Label,-26} {best[i],9:F2} ms/step {batch / best[i] * 1000,8:F0} samples/s {best[0] / best[i],6:F2}x one thread");
            }
        }
    }

    /// <summary>
    /// Evaluation passes (encoder, both heads, decoder) of the specs whose convolutions are followed by batch norms or
    /// ReLUs, with those layers fused into the convolutions (InferenceEpilogue) and run one after another, interleaved
    /// round by round; the median of the per-round ratios (unfused time over fused).
    /// </summary>
    [BenchmarkFact]
    public void EvaluationPassesFusedAgainstUnfused()
    {
        foreach ((string name, int batch) in new[] { ("vanilla_vae64", 32), ("seed002_rgb64", 32), ("fashion_conv", 128) })
        {
            ModelParts parts = ModelBuilder.CreateParts(TestUtil.LowerSpec(name), new Rng(1));
            VaeConfig config = parts.Config;
            List<Sequential> containers = parts.Encoder.Modules().Concat(parts.Decoder.Modules()).OfType<Sequential>().ToList();
            parts.Encoder.Eval();
            parts.Decoder.Eval();
            Tensor x = TestUtil.Random(new Rng(2), 0, 1, batch, config.Channels, config.Height, config.Width);
            Tensor z = TestUtil.RandomNormal(new Rng(3), batch, config.LatentDim);
            void Pass()
            {
                Tensor h = parts.Encoder.Forward(x);
                parts.Mu.Forward(h);
                parts.LogVar.Forward(h);
                parts.Decoder.Forward(z);
            }

            Interleaved run = Interleave(fused => containers.ForEach(c => c.FusesInference = fused), Pass, calls: 15, warmUpSeconds: 0.5);
            _output.WriteLine(
                $"{name}, batch {batch}, {Sgemm.MaxThreads} threads, load {LoadAverage()}: unfused {run.Off:F2} ms, fused {run.On:F2} ms (medians); " +
                $"unfused / fused per round: median {run.Ratio:F3}, range {run.Lowest:F3}-{run.Highest:F3}");
        }
    }

    /// <summary>
    /// Whole InferenceMode passes (encode, draw z, decode) and training steps of the small specs, with FillNormal drawing
    /// its pairs one by one and in blocks (<see cref="Rng.DrawInBlocks"/>), interleaved round by round; the median of the
    /// per-round ratios (one by one over blocks). The draws are the same values either way.
    /// </summary>
    [BenchmarkFact]
    public void PassesWithNormalsDrawnInBlocksAgainstOneByOne()
    {
        bool saved = Rng.DrawInBlocks;
        try
        {
            foreach ((string name, int batch) in new[] { ("seed000", 64), ("fashion_mlp", 128), ("seed002_rgb64", 32) })
            {
                VaeModel model = ModelBuilder.Create(TestUtil.LowerSpec(name), seed: 1);
                Tensor x = TestUtil.Random(new Rng(2), 0, 1, model.Config.BatchShape(batch));
                using (model.InferenceMode())
                {
                    Interleaved inference = Interleave(on => Rng.DrawInBlocks = on, () => model.Forward(x), calls: 15, warmUpSeconds: 3);
                    _output.WriteLine(
                        $"{name}, batch {batch}, inference, load {LoadAverage()}: one by one {inference.Off:F3} ms, in blocks {inference.On:F3} ms (medians); " +
                        $"per round: median {inference.Ratio:F3}, range {inference.Lowest:F3}-{inference.Highest:F3}");
                }

                Interleaved training = Interleave(on => Rng.DrawInBlocks = on, () => model.TrainStep(x), calls: 15, warmUpSeconds: 3);
                _output.WriteLine(
                    $"{name}, batch {batch}, training, load {LoadAverage()}: one by one {training.Off:F3} ms, in blocks {training.On:F3} ms (medians); " +
                    $"per round: median {training.Ratio:F3}, range {training.Lowest:F3}-{training.Highest:F3}");
            }
        }
        finally
        {
            Rng.DrawInBlocks = saved;
        }
    }

    /// <summary>
    /// Whole evaluation passes (Forward: encode, draw z, decode) of the five reference specs at their benchmark batches,
    /// in evaluation mode and in InferenceMode (each weight packed once instead of on every pass), interleaved round by
    /// round; the median of the per-round ratios (evaluation mode's time over InferenceMode's).
    /// </summary>
    [BenchmarkFact]
    public void EvaluationPassesInInferenceModeAgainstEvaluationMode()
    {
        foreach ((string name, int batch) in new[] { ("seed000", 64), ("fashion_mlp", 128), ("fashion_conv", 128), ("seed002_rgb64", 32), ("vanilla_vae64", 32) })
        {
            VaeModel model = ModelBuilder.Create(TestUtil.LowerSpec(name), seed: 1);
            model.Eval();
            Tensor x = TestUtil.Random(new Rng(2), 0, 1, model.Config.BatchShape(batch));
            InferenceScope? scope = null;
            void Hold(bool on)
            {
                scope?.Dispose();
                scope = on ? model.InferenceMode() : null;
            }

            // Three seconds of warm-up: shorter, and the kernels' callees still run at a lower JIT tier (docs/performance.md).
            Interleaved run = Interleave(Hold, () => model.Forward(x), calls: 15, warmUpSeconds: 3);
            scope?.Dispose();
            _output.WriteLine(
                $"{name}, batch {batch}, {Sgemm.MaxThreads} threads, load {LoadAverage()}: evaluation mode {run.Off:F3} ms, InferenceMode {run.On:F3} ms (medians); " +
                $"evaluation / InferenceMode per round: median {run.Ratio:F3}, range {run.Lowest:F3}-{run.Highest:F3}");
        }
    }

    /// <summary>
    /// A switch timed off and on in 12 interleaved rounds (each the median of <paramref name="calls"/> calls of
    /// <paramref name="pass"/>, after <paramref name="warmUpSeconds"/> of both): the medians of the rounds' times, and the
    /// median and range of the per-round ratios (off over on).
    /// </summary>
    private static Interleaved Interleave(Action<bool> set, Action pass, int calls, double warmUpSeconds)
    {
        double Median(bool on)
        {
            set(on);
            var times = new double[calls];
            for (int i = 0; i < times.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                pass();
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            Array.Sort(times);
            return times[times.Length / 2];
        }

        bool warm = false;
        for (var clock = Stopwatch.StartNew(); clock.Elapsed.TotalSeconds < warmUpSeconds;)
        {
            Median(warm = !warm);
        }

        var ratios = new List<double>();
        var offTimes = new List<double>();
        var onTimes = new List<double>();
        for (int round = 0; round < 12; round++)
        {
            double off = Median(false), on = Median(true);
            offTimes.Add(off);
            onTimes.Add(on);
            ratios.Add(off / on);
        }

        ratios.Sort();
        offTimes.Sort();
        onTimes.Sort();
        return new Interleaved(offTimes[6], onTimes[6], ratios[6], ratios[0], ratios[^1]);
    }

    private readonly record struct Interleaved(double Off, double On, double Ratio, double Lowest, double Highest);

    private void Measure(string name, int batch)
    {
        ModelConstruction lowered = TestUtil.LowerSpec(name);
        ConfigConstruction config = lowered.Config;
        _output.WriteLine($"{name}: batch {batch}, input [{string.Join(", ", config.InputShape)}] {config.Layout.Member}, latent {config.LatentDim}, {config.Reconstruction.Member}, gemm {Sgemm.KernelName}, load {LoadAverage()}");
        using ThreadSettings saved = ThreadSettings.Save();
        foreach (int threads in new[] { 1, 2 })
        {
            Sgemm.MaxThreads = threads;
            var model = new Model(lowered, batch);
            model.Run(_output, $"threads {threads}", steps: StepsFor(batch * config.InputShape.Aggregate(1, (a, d) => a * d)));
        }
    }

    // Enough steps for a stable median without making the big models take minutes.
    private static int StepsFor(int inputElements) => Math.Clamp(200_000_000 / Math.Max(1, inputElements * 40), 20, 400);

    private static string LoadAverage()
    {
        try
        {
            return System.IO.File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (System.IO.IOException)
        {
            return "n/a";
        }
    }

    private sealed class Model
    {
        private readonly Sequential _encoder;
        private readonly Sequential _decoder;
        private readonly Linear _fcMu;
        private readonly Linear _fcLogVar;
        private readonly Reparameterize _sampler;
        private readonly VaeLoss _loss;
        private readonly Adam _adam;
        private readonly Tensor _x;
        private readonly Tensor _gradFeatures;
        private readonly int _batch;
        private readonly Dictionary<string, double> _times = new();
        private readonly List<string> _order = new();

        public Model(ModelConstruction lowered, int batch)
        {
            ModelParts parts = ModelBuilder.CreateParts(lowered, new Rng(1));
            VaeConfig config = parts.Config;
            _encoder = parts.Encoder;
            _decoder = parts.Decoder;
            _fcMu = parts.Mu;
            _fcLogVar = parts.LogVar;
            _sampler = new Reparameterize(parts.Noise);
            _loss = new VaeLoss(config.Reconstruction, config.Reduction, config.Beta);
            var all = new Sequential().Add("encoder", _encoder).Add("fc_mu", _fcMu).Add("fc_logvar", _fcLogVar).Add("decoder", _decoder);
            _adam = new Adam(all.NamedParameters());

            // Channels first, as the layers take it (VaeModel transposes a channels-last batch before the encoder).
            _x = TestUtil.Random(new Rng(2), 0, 1, batch, config.Channels, config.Height, config.Width);
            _gradFeatures = new Tensor(batch, _fcMu.InFeatures);
            _batch = batch;
            _encoder.ComputeInputGradient = false;
        }

        /// <summary>The median time of <paramref name="steps"/> training steps after a few warm-up steps.</summary>
        public double MedianStepMilliseconds(int steps)
        {
            for (int i = 0; i < 3; i++)
            {
                Step(false);
            }

            return SortedStepTimes(steps)[steps / 2];
        }

        /// <summary>The times of <paramref name="steps"/> untimed-by-layer training steps in milliseconds, sorted.</summary>
        private double[] SortedStepTimes(int steps)
        {
            var samples = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Step(false);
                samples[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            Array.Sort(samples);
            return samples;
        }

        public void Run(ITestOutputHelper output, string label, int steps)
        {
            // Tiered compilation swaps in optimised code only after 30 calls and a delay.
            long warm = Stopwatch.GetTimestamp();
            for (int i = 0; i < 40 || Stopwatch.GetElapsedTime(warm).TotalSeconds < 1.0; i++)
            {
                Step(false);
            }

            double[] samples = SortedStepTimes(steps);
            double median = samples[steps / 2];
            double best = samples[0];
            output.WriteLine($"  {label}: step median {median:F3} ms, best {best:F3} ms ({_batch / median * 1000:F0} samples/s median, {_batch / best * 1000:F0} best; {steps} steps; loss {_loss.Reconstruction + _loss.Kl:F2})");

            _times.Clear();
            _order.Clear();
            int timedSteps = Math.Max(10, steps / 2);
            for (int i = 0; i < timedSteps; i++)
            {
                Step(true);
            }

            double total = 0;
            foreach (string key in _order)
            {
                total += _times[key];
            }

            foreach (string key in _order)
            {
                output.WriteLine($"    {key,-44} {_times[key] / timedSteps,8:F3} ms {100 * _times[key] / total,5:F1}%");
            }
        }

        private void Time(bool timed, string key, long start)
        {
            if (!timed)
            {
                return;
            }

            if (!_times.TryGetValue(key, out double sum))
            {
                _order.Add(key);
            }

            _times[key] = sum + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        private Tensor RunSequential(string prefix, Sequential seq, Tensor input, bool backward, bool timed)
        {
            Tensor t = input;
            int count = seq.Children.Count;
            for (int j = 0; j < count; j++)
            {
                int i = backward ? count - 1 - j : j;
                (string name, Layer layer) = seq.Children[i];
                long start = Stopwatch.GetTimestamp();
                t = backward ? layer.Backward(t) : layer.Forward(t);
                Time(timed, $"{prefix}.{name} {Describe(layer)} {(backward ? "bwd" : "fwd")}", start);
            }

            return t;
        }

        private static string Describe(Layer layer) => layer switch
        {
            Conv2d c => $"Conv2d {c.InChannels}->{c.OutChannels} k{c.KernelSize.H}s{c.Stride.H}",
            ConvTranspose2d c => $"ConvT {c.InChannels}->{c.OutChannels} k{c.KernelSize.H}s{c.Stride.H}",
            Linear l => $"Linear {l.InFeatures}->{l.OutFeatures}",
            _ => layer.GetType().Name,
        };

        private void Step(bool timed)
        {
            _adam.ZeroGrad();
            Tensor features = RunSequential("enc", _encoder, _x, false, timed);
            long start = Stopwatch.GetTimestamp();
            Tensor mu = _fcMu.Forward(features);
            Tensor logVar = _fcLogVar.Forward(features);
            Time(timed, "heads fwd", start);
            start = Stopwatch.GetTimestamp();
            Tensor z = _sampler.Forward(mu, logVar);
            Time(timed, "reparameterize fwd", start);
            Tensor xhat = RunSequential("dec", _decoder, z, false, timed);
            start = Stopwatch.GetTimestamp();
            _loss.Forward(xhat, _x, mu, logVar);
            Time(timed, "loss fwd", start);
            start = Stopwatch.GetTimestamp();
            _loss.Backward();
            Time(timed, "loss bwd", start);
            Tensor gz = RunSequential("dec", _decoder, _loss.GradReconstruction, true, timed);
            start = Stopwatch.GetTimestamp();
            _sampler.Backward(gz, _loss.GradMu, _loss.GradLogVar);
            Time(timed, "reparameterize bwd", start);
            start = Stopwatch.GetTimestamp();
            Tensor g1 = _fcMu.Backward(_loss.GradMu);
            Tensor g2 = _fcLogVar.Backward(_loss.GradLogVar);
            TensorPrimitives.Add(g1.Span, g2.Span, _gradFeatures.Span);
            Time(timed, "heads bwd", start);
            RunSequential("enc", _encoder, _gradFeatures, true, timed);
            start = Stopwatch.GetTimestamp();
            _adam.Step();
            Time(timed, "adam", start);
        }
    }
}
