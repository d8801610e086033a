using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using VaeGen.Builder;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Where Sgemm.ParallelThreshold should be: whole InferenceMode passes and training steps of the five reference specs on
/// two threads with the current threshold and with others, interleaved round by round after 3 s of warm-up (12 rounds,
/// each a median of 25 passes of the small specs or 7 of the convolutional ones); the median and range of the
/// per-round ratios, the current threshold's time over each other's. VAEGEN_THRESHOLD_SPEC=name times one spec only.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class ParallelThresholdBenchmarks(ITestOutputHelper output)
{
    [BenchmarkFact]
    public void WholePassesAgainstTheCurrentThreshold()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        var settings = new (string Name, int Threads, long Threshold)[]
        {
            ($"2^{Math.Log2(Sgemm.ParallelThreshold):F0} (current)", 2, Sgemm.ParallelThreshold), ("2^18", 2, 1L << 18), ("2^20", 2, 1L << 20), ("2^21", 2, 1L << 21), ("2^22", 2, 1L << 22), ("2^24", 2, 1L << 24),
        };
        foreach ((string spec, int batch) in new[] { ("seed000", 64), ("fashion_mlp", 128), ("fashion_conv", 128), ("seed002_rgb64", 32), ("vanilla_vae64", 32) }
            .Where(c => Environment.GetEnvironmentVariable("VAEGEN_THRESHOLD_SPEC") is not string only || c.Item1 == only))
        {
            VaeModel model = ModelBuilder.Create(TestUtil.LowerSpec(spec), seed: 1);
            Tensor x = TestUtil.Random(new Rng(2), 0, 1, model.Config.BatchShape(batch));
            foreach (bool inference in new[] { true, false })
            {
                IDisposable? scope = inference ? model.InferenceMode() : null;
                Action pass = inference ? () => model.Forward(x) : () => model.TrainStep(x);
                double Median(int s)
                {
                    Sgemm.MaxThreads = settings[s].Threads;
                    Sgemm.ParallelThreshold = settings[s].Threshold;
                    var t = new double[spec is "seed000" or "fashion_mlp" ? 25 : 7];
                    for (int i = 0; i < t.Length; i++) { long t0 = Stopwatch.GetTimestamp(); pass(); t[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds; }
                    Array.Sort(t);
                    return t[t.Length / 2];
                }
                for (var clock = Stopwatch.StartNew(); clock.Elapsed.TotalSeconds < 3;) for (int s = 0; s < settings.Length; s++) Median(s);
                var ratios = new List<double>[settings.Length];
                for (int s = 0; s < settings.Length; s++) ratios[s] = new List<double>();
                for (int round = 0; round < 12; round++)
                {
                    var m = new double[settings.Length];
                    for (int s = 0; s < settings.Length; s++) m[s] = Median(s);
                    for (int s = 0; s < settings.Length; s++) ratios[s].Add(m[0] / m[s]);
                }
                string line = $"{spec} {(inference ? "inference" : "training")}:";
                for (int s = 1; s < settings.Length; s++) { ratios[s].Sort(); line += $" | {settings[s].Name} {ratios[s][6]:F3}x ({ratios[s][0]:F2}-{ratios[s][^1]:F2})"; }
                output.WriteLine(line + "  (current threshold's time / the setting's)");
                scope?.Dispose();
            }
        }
    }
}
