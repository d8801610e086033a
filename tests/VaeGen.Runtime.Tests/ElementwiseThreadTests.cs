using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Tensors;
using Xunit;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Activations, batch normalisation, the per-plane layers (pooling, upsampling, padding) and the loss split large tensors
/// over threads (by element ranges, by channels, by planes, by samples), and their elementwise passes run in chunks
/// (<see cref="ForkJoin.Chunks"/>); every split must give the bits of one thread's whole-span calls. The input,
/// [4, 6, 97, 89] (207,168 values), is large enough for three parts and 25 chunks, and neither its planes nor its length
/// are whole vectors.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class ElementwiseThreadTests
{
    public static TheoryData<string> Layers => new()
    {
        "relu", "leaky_relu", "sigmoid", "tanh", "elu", "gelu", "silu", "batchnorm", "batchnorm_eval",
        "maxpool_2x2", "maxpool_3_s2_p1", "avgpool_3_s2_p1", "upsample_nearest_2x", "upsample_nearest_1.5x", "upsample_bilinear", "zero_pad",
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void ForwardAndBackwardDoNotDependOnThreads(string kind)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            List<float[]>? first = null;
            foreach ((int threads, bool chunks) in Schedules)
            {
                Sgemm.MaxThreads = threads;
                ForkJoin.ChunkPasses = chunks;
                List<float[]> result = Run(kind);
                first ??= result;
                for (int i = 0; i < first.Count; i++)
                {
                    Assert.True(first[i].AsSpan().SequenceEqual(result[i]), $"{kind}: result {i} on {threads} threads (chunks {chunks}) differs from one thread's whole-span calls");
                }
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            ForkJoin.ChunkPasses = true;
        }
    }

    /// <summary>
    /// The loss splits its per-sample terms and its gradients over threads; the loss and every gradient must be one
    /// thread's bits. 97 samples of 1031 values (neither a whole number of vectors) and 13 latents: large enough for
    /// four parts.
    /// </summary>
    [Theory]
    [InlineData(ReconstructionTerm.Mse)]
    [InlineData(ReconstructionTerm.Bce)]
    [InlineData(ReconstructionTerm.BceLogits)]
    [InlineData(ReconstructionTerm.Gaussian)]
    public void LossDoesNotDependOnThreads(ReconstructionTerm term)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            var rng = new Rng(77);
            Tensor reconstruction = TestUtil.Random(rng, 0.01f, 0.99f, 97, 1031);
            Tensor target = TestUtil.Random(rng, 0, 1, 97, 1031);
            Tensor mu = TestUtil.Random(rng, -2, 2, 97, 13);
            Tensor logVar = TestUtil.Random(rng, -3, 3, 97, 13);
            (double Loss, float[] Recon, float[] Mu, float[] LogVar, float LogSigma)? first = null;
            foreach ((int threads, bool chunks) in Schedules)
            {
                Sgemm.MaxThreads = threads;
                ForkJoin.ChunkPasses = chunks;
                var logSigma = term == ReconstructionTerm.Gaussian ? new Parameter("log_sigma", 1) : null;
                var loss = new VaeLoss(term, Reduction.Sum, beta: 0.7, logSigma: logSigma);
                double value = loss.Forward(reconstruction, target, mu, logVar);
                loss.Backward();
                var result = (value, loss.GradReconstruction.Span.ToArray(), loss.GradMu.Span.ToArray(), loss.GradLogVar.Span.ToArray(), logSigma?.Grad.Span[0] ?? 0f);
                first ??= result;
                Assert.Equal(first.Value.Loss, result.Item1);
                Assert.True(first.Value.Recon.AsSpan().SequenceEqual(result.Item2), $"{term}: reconstruction gradient on {threads} threads");
                Assert.True(first.Value.Mu.AsSpan().SequenceEqual(result.Item3), $"{term}: mu gradient on {threads} threads");
                Assert.True(first.Value.LogVar.AsSpan().SequenceEqual(result.Item4), $"{term}: logvar gradient on {threads} threads");
                Assert.Equal(first.Value.LogSigma, result.Item5);
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            ForkJoin.ChunkPasses = true;
        }
    }

    /// <summary>
    /// The chunked operations that layers and the model call on one span (a residual sum, a dropout mask, the sampled
    /// probabilities, the slots' weight gradients) give the whole-span call's bits, in place or not: a chunk cut in the
    /// wrong place, skipped or run twice changes them. 3 chunks and 37 more values (not a whole vector).
    /// </summary>
    [Fact]
    public void ChunkedOperationsGiveTheWholeSpanBits()
    {
        var rng = new Rng(5);
        int length = (3 * ForkJoin.ChunkElements) + 37;
        float[] x = new float[length], y = new float[length];
        rng.FillUniform(x, -8, 8);
        rng.FillUniform(y, -2, 2);
        (string Name, Action<float[], float[], float[]> Whole, Action<float[], float[], float[]> Chunked)[] operations =
        [
            ("add", (a, b, d) => TensorPrimitives.Add(a, b, d), (a, b, d) => CachedElementwise.Add(a, b, d)),
            ("multiply", (a, b, d) => TensorPrimitives.Multiply(a, b, d), (a, b, d) => CachedElementwise.Multiply(a, b, d)),
            ("sigmoid", (a, _, d) => TensorPrimitives.Sigmoid(a, d), (a, _, d) => CachedElementwise.Sigmoid(a, d)),
        ];
        foreach ((string name, var whole, var chunked) in operations)
        {
            float[] expected = new float[length], actual = new float[length];
            whole(x, y, expected);
            chunked(x, y, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name}: chunks differ from one call");
            float[] inPlace = (float[])y.Clone();
            chunked(x, inPlace, inPlace);
            Assert.True(expected.AsSpan().SequenceEqual(inPlace), $"{name} in place: chunks differ from one call");
        }

        Assert.Throws<ArgumentException>(() => CachedElementwise.Add(x, y.AsSpan(1), new float[length]));
        Assert.Throws<ArgumentException>(() => CachedElementwise.Sigmoid(x, new float[length - 1]));
    }

    /// <summary>
    /// MaxPool2d's 2x2 windows, 16 (AVX-512) or 8 (AVX2) at a time, give the scalar loop's outputs and chosen positions
    /// (so its gradient), ties and NaN included: values from {-1, 0, 1, NaN} make most windows tie or hold a NaN. Widths
    /// of 6 to 67 give rows of 3 to 33 windows: planes of too few windows for a vector (6), rows too short for one and so
    /// gathered across the plane (14), whole blocks, and a last block overlapping the one before it.
    /// </summary>
    [Theory]
    [InlineData(6)]
    [InlineData(14)]
    [InlineData(16)]
    [InlineData(28)]
    [InlineData(32)]
    [InlineData(35)]
    [InlineData(67)]
    public void MaxPool2x2VectorsGiveTheScalarLoopsBits(int width)
    {
        var rng = new Rng((ulong)width);
        float[] levels = [-1f, 0f, 1f, float.NaN];
        var x = new Tensor(3, 2, 5, width);
        for (int i = 0; i < x.Length; i++)
        {
            x.Data[i] = levels[(int)(rng.NextSingle() * levels.Length)];
        }

        Tensor gy = TestUtil.Random(rng, -1, 1, 3, 2, 2, width / 2);
        int saved = MaxPool2d.VectorWindows;
        try
        {
            var widths = new List<int> { 0 };
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            {
                widths.Add(8);
            }

            if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            {
                widths.Add(16);
            }

            (float[] Output, float[] Gradient)? scalar = null;
            foreach (int windows in widths)
            {
                MaxPool2d.VectorWindows = windows;
                var pool = new MaxPool2d(2);
                (float[] output, float[] gradient) = (pool.Forward(x).Span.ToArray(), pool.Backward(gy).Span.ToArray());
                scalar ??= (output, gradient);
                Assert.True(scalar.Value.Output.AsSpan().SequenceEqual(output), $"{windows} windows at a time: outputs differ from the scalar loop's");
                Assert.True(scalar.Value.Gradient.AsSpan().SequenceEqual(gradient), $"{windows} windows at a time: chosen positions differ from the scalar loop's");
                Assert.Contains(output, float.IsNaN);
            }
        }
        finally
        {
            MaxPool2d.VectorWindows = saved;
        }
    }

    /// <summary>One thread's whole-span calls first, then every thread count from 1 to 4 with and without chunks.</summary>
    private static IEnumerable<(int Threads, bool Chunks)> Schedules =>
        [(1, false), (2, false), (3, false), (4, false), (1, true), (2, true), (3, true), (4, true)];

    private static List<float[]> Run(string kind)
    {
        Layer layer = kind switch
        {
            "relu" => new ReLU(),
            "leaky_relu" => new LeakyReLU(0.2f),
            "sigmoid" => new Sigmoid(),
            "tanh" => new Tanh(),
            "elu" => new ELU(),
            "gelu" => new GELU(),
            "silu" => new SiLU(),
            "maxpool_2x2" => new MaxPool2d(2),
            "maxpool_3_s2_p1" => new MaxPool2d(3, stride: 2, padding: 1),
            "avgpool_3_s2_p1" => new AvgPool2d(3, stride: 2, padding: 1),
            "upsample_nearest_2x" => new Upsample(2, 2, UpsampleMode.Nearest),
            "upsample_nearest_1.5x" => new Upsample(1.5, 1.5, UpsampleMode.Nearest),
            "upsample_bilinear" => new Upsample(2, 2, UpsampleMode.Bilinear),
            "zero_pad" => new ZeroPad2d(1, 2, 3, 4),
            _ => new BatchNorm2d(6),
        };
        var rng = new Rng(41);
        Tensor x = TestUtil.Random(rng, -3, 3, 4, 6, 97, 89);
        Tensor gy = TestUtil.Random(rng, -1, 1, layer.Forward(x).Shape.ToArray());
        var results = new List<float[]>();
        if (layer is BatchNorm2d norm)
        {
            rng.FillUniform(norm.Weight.Value.Span, 0.5f, 1.5f);
            rng.FillUniform(norm.Bias.Value.Span, -0.5f, 0.5f);
            rng.FillUniform(norm.RunningMean.Span, -0.5f, 0.5f);
            rng.FillUniform(norm.RunningVar.Span, 0.5f, 1.5f);
            if (kind == "batchnorm_eval")
            {
                norm.Eval();
            }

            results.Add(norm.Forward(x).Span.ToArray());
            results.Add(norm.Backward(gy).Span.ToArray());
            results.Add(norm.Weight.Grad.Span.ToArray());
            results.Add(norm.Bias.Grad.Span.ToArray());
            results.Add(norm.RunningMean.Span.ToArray());
            results.Add(norm.RunningVar.Span.ToArray());
            return results;
        }

        results.Add(layer.Forward(x).Span.ToArray());
        results.Add(layer.Backward(gy).Span.ToArray());
        return results;
    }
}
