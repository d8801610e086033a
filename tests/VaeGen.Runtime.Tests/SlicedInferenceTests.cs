using System;
using System.IO;
using System.Runtime.InteropServices;
using VaeGen.Builder;
using VaeGen.Spec.Lowering;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Inference split by samples (<c>VaeModel.Slices</c>): each thread runs a whole model on its slice of the batch. The
/// results must be one thread's, to the bit, the noise stream included.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class SlicedInferenceTests
{
    /// <summary>The shipped specs small enough to be sliced, with their conditional, residual and Gaussian variants.</summary>
    public static TheoryData<string> SlicedSpecs() => new() { "seed000", "fashion_mlp", "fashion_conv", "fashion_cvae", "fashion_resnet", "keras_mnist", "fashion_conv_sigma" };

    /// <summary>
    /// Every sample's outputs are the same bits in a batch of any size, for all shipped specs, in evaluation mode with
    /// every layer on one thread: what lets a batch be cut into slices at all. It fails when a linear layer's product may
    /// take the dot-product path, whose choice depends on the batch's rows (fashion_mlp and fashion_conv then differ in
    /// slices of 1 to 12 samples).
    /// </summary>
    [Theory]
    [InlineData("seed000")]
    [InlineData("fashion_mlp")]
    [InlineData("fashion_conv")]
    [InlineData("fashion_resnet")]
    [InlineData("seed002_rgb64")]
    [InlineData("vanilla_vae64")]
    public void A_samples_outputs_do_not_depend_on_its_batch(string spec)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 1;
        int batch = spec.EndsWith("64", StringComparison.Ordinal) ? 13 : 40;
        VaeModel model = ModelBuilder.Create(TestUtil.LowerSpec(spec), seed: 1);
        model.Eval();
        Tensor x = TestUtil.Random(new Rng(2), 0, 1, model.Config.BatchShape(batch));
        Tensor eps = TestUtil.Random(new Rng(3), -1, 1, batch, model.Config.LatentDim);
        var (whole, wholeMu, _) = model.Forward(x, eps);
        float[] reconstruction = (float[])whole.Data.Clone();
        float[] mu = (float[])wholeMu.Data.Clone();
        foreach (int slice in new[] { 1, 5, 12 })
        {
            for (int first = 0; first < batch; first += slice)
            {
                int count = Math.Min(slice, batch - first);
                var (part, partMu, _) = model.Forward(Rows(x, first, count), Rows(eps, first, count));
                AssertRows(reconstruction, part, first, $"{spec}: reconstruction of samples {first}..{first + count - 1} in a batch of {count}");
                AssertRows(mu, partMu, first, $"{spec}: mu of samples {first}..{first + count - 1} in a batch of {count}");
            }
        }
    }

    /// <summary>
    /// Forward passes with the noise drawn from the model's stream, encodes, decodes and passes with a given eps, on 2
    /// and 3 threads (3 on this 2-core machine puts two slices on the calling thread), with batches that do and do not
    /// divide evenly: the same bits as one thread, and the stream left where one thread leaves it.
    /// </summary>
    [Theory]
    [MemberData(nameof(SlicedSpecs))]
    public void Sliced_passes_give_one_threads_bits_and_stream(string spec)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        ModelConstruction lowered = TestUtil.LowerSpec(spec);
        VaeModel single = ModelBuilder.Create(lowered, seed: 7);
        using InferenceScope singleScope = single.InferenceMode();
        foreach (int threads in new[] { 2, 3 })
        {
            VaeModel sliced = ModelBuilder.Create(lowered, seed: 7);
            using InferenceScope slicedScope = sliced.InferenceMode();
            sliced.RestoreNoiseState(single.NoiseState());
            foreach (int batch in new[] { 48, 53 })
            {
                Tensor x = TestUtil.Random(new Rng((ulong)batch), 0, single.Config.Scale, single.Config.BatchShape(batch));
                int[] labels = Labels(single, batch);
                Tensor z = TestUtil.Random(new Rng(5), -2, 2, batch, single.Config.LatentDim);
                for (int pass = 0; pass < 2; pass++)
                {
                    Sgemm.MaxThreads = 1;
                    Outputs expected = Run(single, x, labels, z);
                    Sgemm.MaxThreads = threads;
                    int slicedBefore = sliced.SlicedPasses;
                    Outputs actual = Run(sliced, x, labels, z);
                    Assert.Equal(4, sliced.SlicedPasses - slicedBefore);
                    expected.AssertSame(actual, $"{spec}, {threads} threads, batch {batch}, pass {pass}");
                    Assert.Equal(single.NoiseState().Int64, sliced.NoiseState().Int64);
                }
            }
        }
    }

    /// <summary>Weights loaded inside the scope reach the replicas: the next sliced pass is the new weights' one-thread pass.</summary>
    [Fact]
    public void Weights_loaded_inside_the_scope_reach_every_slice()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        ModelConstruction lowered = TestUtil.LowerSpec("fashion_mlp");
        string path = Path.Combine(Path.GetTempPath(), $"vaegen-sliced-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelBuilder.Create(lowered, seed: 9).SaveWeights(path);
            VaeModel expectedModel = ModelBuilder.Create(lowered, seed: 9);
            VaeModel model = ModelBuilder.Create(lowered, seed: 1);
            Tensor x = TestUtil.Random(new Rng(4), 0, 255, model.Config.BatchShape(64));
            Sgemm.MaxThreads = 2;
            using InferenceScope scope = model.InferenceMode();
            float[] before = (float[])model.Encode(x).Mu.Data.Clone();
            model.LoadWeights(path);
            float[] after = model.Encode(x).Mu.Data;
            Assert.True(model.SlicedPasses >= 2);

            Sgemm.MaxThreads = 1;
            float[] expected = expectedModel.Encode(x).Mu.Data;
            Assert.Equal(expected, after);
            Assert.NotEqual(before, after);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A model without replicas (built from its parts, not generated) and a large one (seed002_rgb64, 2.9M weights) are
    /// not sliced, nor is a batch too small to give every thread its 16 samples; outside InferenceMode nothing is.
    /// </summary>
    [Fact]
    public void Only_small_models_with_replicas_inside_InferenceMode_are_sliced()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 2;
        ModelParts parts = ModelBuilder.CreateParts(TestUtil.LowerSpec("seed000"), new Rng(1));
        var plain = new VaeModel(parts.Config, parts.Encoder, parts.Mu, parts.LogVar, parts.Decoder, parts.Noise);
        VaeModel large = ModelBuilder.Create(TestUtil.LowerSpec("seed002_rgb64"), seed: 1);
        VaeModel small = ModelBuilder.Create(TestUtil.LowerSpec("seed000"), seed: 1);
        Tensor x = TestUtil.Random(new Rng(2), 0, 255, small.Config.BatchShape(32));
        Tensor few = TestUtil.Random(new Rng(2), 0, 255, small.Config.BatchShape(31));

        small.Forward(x);
        Assert.Equal(0, small.SlicedPasses);
        using (plain.InferenceMode())
        using (small.InferenceMode())
        using (large.InferenceMode())
        {
            plain.Forward(x);
            large.Forward(TestUtil.Random(new Rng(3), 0, 1, large.Config.BatchShape(32)));
            small.Forward(few);
            Sgemm.MaxThreads = 3;
            small.Forward(x);
            Assert.Equal(0, plain.SlicedPasses + large.SlicedPasses + small.SlicedPasses);
            Sgemm.MaxThreads = 2;
            small.Forward(x);
            Assert.Equal(1, small.SlicedPasses);
        }
    }

    /// <summary>
    /// Steady sliced passes allocate nothing on the calling thread, which on 3 threads of this 2-core machine runs a
    /// replica's slice as well as its own.
    /// </summary>
    [Fact]
    public void Steady_sliced_passes_allocate_nothing()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 3;
        VaeModel model = ModelBuilder.Create(TestUtil.LowerSpec("fashion_conv"), seed: 1);
        Tensor x = TestUtil.Random(new Rng(2), 0, 255, model.Config.BatchShape(48));
        using InferenceScope scope = model.InferenceMode();
        long Passes()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Forward(x);
            model.Decode(model.Encode(x).Mu);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // The first passes make the buffers and the packed weights. In full runs of the suite, other tests' garbage
        // made collections that moved this model's small weight arrays, and packs keyed on their addresses were redone
        // (88 KB a pass; InferenceModeTests.A_weight_moved_by_the_garbage_collector_is_not_packed_again). What each
        // warm-up pass allocated is in the message, should a steady pass allocate again.
        var warmUp = new System.Collections.Generic.List<long>();
        for (int i = 0; i < 3; i++)
        {
            warmUp.Add(Passes());
        }

        long steady = 0;
        for (int i = 0; i < 3; i++)
        {
            steady += Passes();
        }

        Assert.True(steady == 0, $"steady passes allocated {steady} bytes; the warm-up passes {string.Join(", ", warmUp)}");
        Assert.Equal(18, model.SlicedPasses);
    }

    private static int[] Labels(VaeModel model, int batch)
    {
        if (model.Classes == 0)
        {
            return Array.Empty<int>();
        }

        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = (i * 7) % model.Classes;
        }

        return labels;
    }

    /// <summary>A forward pass with drawn noise, an encode, a decode and a forward pass with z as eps, copied.</summary>
    private static Outputs Run(VaeModel model, Tensor x, int[] labels, Tensor z)
    {
        bool conditional = model.Classes > 0;
        var (reconstruction, mu, logVar) = conditional ? model.Forward(x, labels) : model.Forward(x);
        float[] drawn = Copy(reconstruction, mu, logVar);
        var (encodedMu, encodedLogVar) = conditional ? model.Encode(x, labels) : model.Encode(x);
        float[] encoded = Copy(encodedMu, encodedLogVar);
        float[] decoded = Copy(conditional ? model.Decode(z, labels) : model.Decode(z));
        var (r, m, v) = conditional ? model.Forward(x, labels, z) : model.Forward(x, z);
        return new Outputs(drawn, encoded, decoded, Copy(r, m, v));
    }

    private static float[] Copy(params Tensor[] tensors)
    {
        int length = 0;
        foreach (Tensor t in tensors)
        {
            length += t.Length;
        }

        float[] all = new float[length];
        int at = 0;
        foreach (Tensor t in tensors)
        {
            t.Span.CopyTo(all.AsSpan(at));
            at += t.Length;
        }

        return all;
    }

    private static Tensor Rows(Tensor whole, int first, int count)
    {
        int[] shape = whole.Shape.ToArray();
        shape[0] = count;
        var rows = new Tensor(shape);
        int perRow = whole.Length / whole.Dim(0);
        whole.Data.AsSpan(first * perRow, count * perRow).CopyTo(rows.Span);
        return rows;
    }

    private static void AssertRows(float[] whole, Tensor part, int first, string what)
    {
        int perRow = part.Length / part.Dim(0);
        for (int i = 0; i < part.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(whole[(first * perRow) + i]) != BitConverter.SingleToInt32Bits(part.Data[i]))
            {
                Assert.Fail($"{what}: value {i} is {part.Data[i]:R}, in the whole batch {whole[(first * perRow) + i]:R}.");
            }
        }
    }

    private sealed record Outputs(float[] Drawn, float[] Encoded, float[] Decoded, float[] Given)
    {
        public void AssertSame(Outputs other, string what)
        {
            Assert.True(SameBits(Drawn, other.Drawn), what + ": forward with drawn noise");
            Assert.True(SameBits(Encoded, other.Encoded), what + ": encode");
            Assert.True(SameBits(Decoded, other.Decoded), what + ": decode");
            Assert.True(SameBits(Given, other.Given), what + ": forward with a given eps");
        }

        private static bool SameBits(float[] a, float[] b) => MemoryMarshal.Cast<float, int>(a).SequenceEqual(MemoryMarshal.Cast<float, int>(b));
    }
}
