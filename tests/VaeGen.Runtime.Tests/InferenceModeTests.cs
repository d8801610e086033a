using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using VaeGen.Builder;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Lowering;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// <see cref="VaeModel.InferenceMode"/>: weights packed once for their products (<see cref="Sgemm.PackedOperand"/>) give
/// the bits of packing them on every product, on every product path and thread split; the packs are really reused
/// while the weights are held constant, and dropped when they may change.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class InferenceModeTests
{
    [Theory]
    [MemberData(nameof(SgemmTests.Shapes), MemberType = typeof(SgemmTests))]
    public void A_product_from_an_operand_packed_once_has_the_bits_of_packing_it_per_product(int m, int n, int k)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Sgemm.MaxThreads = threads;
            var parallelism = new Sgemm.Parallelism(threads, 0);
            var rng = new Rng((ulong)((m * 31) + (n * 7) + k + threads));
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    float[] a = Values(rng, m * k);
                    float[] b = Values(rng, k * n);
                    float[] bias = Values(rng, n);
                    int lda = ta ? m : k;
                    int ldb = tb ? k : n;
                    float[] expected = Values(rng, m * n);
                    float[] start = (float[])expected.Clone();
                    Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, expected, n, accumulate: true, parallelism);

                    var packedA = new Sgemm.PackedOperand();
                    var packedB = new Sgemm.PackedOperand();
                    for (int pass = 0; pass < 2; pass++)
                    {
                        // The second pass reads the panels the first one packed.
                        float[] fromA = (float[])start.Clone();
                        Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, fromA, n, accumulate: true, parallelism, packedA: packedA);
                        Assert.True(expected.AsSpan().SequenceEqual(fromA), $"A packed once, ta={ta} tb={tb}, {threads} threads, pass {pass}");
                        float[] fromB = (float[])start.Clone();
                        Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, fromB, n, accumulate: true, parallelism, packedB: packedB);
                        Assert.True(expected.AsSpan().SequenceEqual(fromB), $"B packed once, ta={ta} tb={tb}, {threads} threads, pass {pass}");
                    }

                    if (threads == 1)
                    {
                        float[] biased = new float[m * n];
                        float[] biasedPacked = new float[m * n];
                        Sgemm.MultiplyAddBias(ta, tb, m, n, k, a, lda, b, ldb, bias, biased, n);
                        Sgemm.MultiplyAddBias(ta, tb, m, n, k, a, lda, b, ldb, bias, biasedPacked, n, packedB);
                        Assert.True(biased.AsSpan().SequenceEqual(biasedPacked), $"bias in the store, B packed once, ta={ta} tb={tb}");
                    }
                }
            }
        }
    }

    [Fact]
    public void An_operand_read_another_way_is_packed_again()
    {
        var rng = new Rng(3);
        float[] w = Values(rng, 64 * 300);
        float[] x = Values(rng, 40 * 300);
        var packed = new Sgemm.PackedOperand();

        // As B^T of a 40 x 64 product, then as A (64 x 300 rows of the same storage) of a 64 x 40 one: two layouts, both right.
        float[] expected = new float[40 * 64];
        float[] actual = new float[40 * 64];
        Sgemm.Multiply(false, true, 40, 64, 300, x, 300, w, 300, expected, 64, accumulate: false);
        Sgemm.Multiply(false, true, 40, 64, 300, x, 300, w, 300, actual, 64, accumulate: false, Sgemm.Parallelism.Default, packedB: packed);
        Assert.Equal(expected, actual);
        Assert.True(packed.IsPacked);

        // The same storage read as a 32 x 300 B (half the rows): a different view, packed again rather than misread.
        float[] half = new float[40 * 32];
        float[] halfPacked = new float[40 * 32];
        Sgemm.Multiply(false, true, 40, 32, 300, x, 300, w, 300, half, 32, accumulate: false);
        Sgemm.Multiply(false, true, 40, 32, 300, x, 300, w, 300, halfPacked, 32, accumulate: false, Sgemm.Parallelism.Default, packedB: packed);
        Assert.Equal(half, halfPacked);
    }

    /// <summary>Every layer that packs its weight, on each of its paths: a weight changed behind the scope is not seen, so the pack is reused.</summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("linear_narrow")]
    [InlineData("conv")]
    [InlineData("transposed")]
    [InlineData("tiles")]
    public void A_layer_holding_its_weights_constant_packs_them_once(string path)
    {
        var rng = new Rng(11);
        (Layer layer, Parameter weight, Tensor x) = path switch
        {
            "linear" => Linear(new Linear(300, 70, rng: rng), rng, 33),
            "linear_narrow" => Linear(new Linear(300, 20, rng: rng), rng, 64), // C^T: the weight is the job's A
            "conv" => Conv(new Conv2d(5, 12, 4, stride: 2, padding: 1, rng: rng), rng, 16),
            "transposed" => Conv(new ConvTranspose2d(16, 8, 4, stride: 2, padding: 1, rng: rng), rng, 8),
            _ => Conv(new Conv2d(17, 64, 3, padding: 1, rng: rng), rng, 8),
        };
        if (path == "tiles")
        {
            Assert.Equal(Avx512F.IsSupported, ((Conv2d)layer).UsesTiles(8, 8));
        }

        float[] varying = layer.Forward(x).Data.ToArray();
        layer.HoldWeightsConstant(true);
        Assert.True(varying.AsSpan().SequenceEqual(layer.Forward(x).Data), "the first pass holding the weights constant differs");
        Assert.True(varying.AsSpan().SequenceEqual(layer.Forward(x).Data), "a pass from the packed weight differs");

        // A weight written through its array while held constant is not seen: the passes read the packed copy.
        weight.Value.Data.AsSpan().Fill(0.5f);
        Assert.True(varying.AsSpan().SequenceEqual(layer.Forward(x).Data), "the pass did not read the packed weight");

        // Letting the weights change again drops the copy; holding them again packs the new values.
        layer.HoldWeightsConstant(false);
        float[] changed = layer.Forward(x).Data.ToArray();
        Assert.False(varying.AsSpan().SequenceEqual(changed));
        layer.HoldWeightsConstant(true);
        Assert.True(changed.AsSpan().SequenceEqual(layer.Forward(x).Data), "holding the changed weights constant");
    }

    /// <summary>
    /// A small weight's array moves when the garbage collector compacts; its pack is still the layer's and is not redone.
    /// A pack keyed on the array's address was: the pass after a collection allocated (88 KB a pass in fashion_conv's
    /// small layers, in a full test run), which this test shows as bytes allocated.
    /// </summary>
    [Fact]
    public void A_weight_moved_by_the_garbage_collector_is_not_packed_again()
    {
        var rng = new Rng(12);
        var layer = new Linear(300, 40, rng: rng); // 48 KB of weights: a small-object array, which compaction moves
        Tensor x = TestUtil.Random(rng, -1, 1, 16, 300);
        layer.HoldWeightsConstant(true);
        float[] expected = layer.Forward(x).Data.ToArray();
        layer.Forward(x);

        nint before = Address(layer.Weight.Value.Data);
        for (int attempt = 0; attempt < 10 && Address(layer.Weight.Value.Data) == before; attempt++)
        {
            GC.KeepAlive(new byte[1 << 16]);
            GC.Collect(attempt % 3, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        Assert.NotEqual(before, Address(layer.Weight.Value.Data)); // else this test shows nothing
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Tensor y = layer.Forward(x);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(0, allocated);
        Assert.True(expected.AsSpan().SequenceEqual(y.Data));
    }

    private static unsafe nint Address(float[] array)
    {
        fixed (float* p = array)
        {
            return (nint)p;
        }
    }

    /// <summary>
    /// The shipped specs as the tool builds them (residual blocks, a learned sigma and a conditional model's labels
    /// included): whole passes in InferenceMode give evaluation mode's bits, on one and two threads.
    /// </summary>
    [Theory]
    [InlineData("seed000", 5)]
    [InlineData("fashion_mlp", 7)]
    [InlineData("fashion_conv", 5)]
    [InlineData("seed002_rgb64", 3)]
    [InlineData("vanilla_vae64", 2)]
    [InlineData("fashion_resnet", 3)]
    [InlineData("fashion_conv_sigma", 3)]
    [InlineData("fashion_cvae", 4)]
    [InlineData("keras_mnist", 4)]
    public void Spec_models_in_inference_mode_give_the_bits_of_evaluation_mode(string spec, int batch)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        foreach (int threads in new[] { 1, 2 })
        {
            Sgemm.MaxThreads = threads;
            VaeModel plain = ModelBuilder.Create(TestUtil.LowerSpec(spec), seed: 4);
            VaeModel held = ModelBuilder.Create(TestUtil.LowerSpec(spec), seed: 4);
            plain.Eval();
            VaeConfig config = plain.Config;
            Tensor x = TestUtil.Random(new Rng(5), 0, 1, config.BatchShape(batch));
            Tensor eps = TestUtil.RandomNormal(new Rng(6), batch, config.LatentDim);
            int[] labels = Enumerable.Range(0, batch).Select(i => i % Math.Max(1, config.Classes)).ToArray();
            Tensor Pass(VaeModel model) => (config.Classes > 0 ? model.Forward(x, labels, eps) : model.Forward(x, eps)).Reconstruction;
            float[] expected = Pass(plain).Data.ToArray();
            using (held.InferenceMode())
            {
                for (int pass = 0; pass < 2; pass++)
                {
                    Assert.True(expected.AsSpan().SequenceEqual(Pass(held).Data), $"{threads} threads, pass {pass}");
                }
            }
        }
    }

    [Fact]
    public void The_scope_evaluates_refuses_training_and_restores_the_mode_it_found()
    {
        VaeModel model = ModelBuilder.Create(TestUtil.LowerSpec("fashion_mlp"), seed: 1);
        Tensor x = TestUtil.Random(new Rng(2), 0, 255, model.Config.BatchShape(4));
        Assert.True(model.Training);
        InferenceScope outer = model.InferenceMode();
        Assert.True(model.InInferenceMode);
        Assert.False(model.Training);
        Assert.All(model.Encoder.Modules(), layer => Assert.True(layer.WeightsConstant));

        var error = Assert.Throws<InvalidOperationException>(() => model.TrainStep(x));
        Assert.Contains("InferenceMode", error.Message, StringComparison.Ordinal);

        // Nested scopes: only the outermost one's disposal ends the mode.
        using (model.InferenceMode())
        {
        }

        Assert.True(model.InInferenceMode);
        outer.Dispose();
        outer.Dispose();
        Assert.False(model.InInferenceMode);
        Assert.True(model.Training);
        Assert.All(model.Decoder.Modules(), layer => Assert.False(layer.WeightsConstant));
        model.TrainStep(x);

        model.Eval();
        using (model.InferenceMode())
        {
        }

        Assert.False(model.Training);
    }

    [Fact]
    public void Weights_loaded_inside_the_scope_are_the_ones_its_passes_use()
    {
        ModelConstruction lowered = TestUtil.LowerSpec("fashion_conv");
        VaeModel trained = ModelBuilder.Create(lowered, seed: 8);
        VaeModel model = ModelBuilder.Create(lowered, seed: 9);
        trained.Eval();
        VaeConfig config = trained.Config;
        Tensor x = TestUtil.Random(new Rng(5), 0, 255, config.BatchShape(3));
        Tensor eps = TestUtil.RandomNormal(new Rng(6), 3, config.LatentDim);
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vaegen-inference-{Guid.NewGuid():N}.safetensors");
        try
        {
            trained.SaveWeights(path);
            float[] expected = trained.Forward(x, eps).Reconstruction.Data.ToArray();
            using (model.InferenceMode())
            {
                float[] before = model.Forward(x, eps).Reconstruction.Data.ToArray();
                model.LoadWeights(path);
                float[] after = model.Forward(x, eps).Reconstruction.Data.ToArray();
                Assert.False(before.AsSpan().SequenceEqual(after));
                Assert.True(expected.AsSpan().SequenceEqual(after), "the passes after LoadWeights read the old packed weights");
            }
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    private static float[] Values(Rng rng, int count)
    {
        var values = new float[count];
        rng.FillUniform(values, -1, 1);
        return values;
    }

    private static (Layer, Parameter, Tensor) Linear(Linear layer, Rng rng, int rows) =>
        (layer, layer.Weight, TestUtil.Random(rng, -1, 1, rows, layer.InFeatures));

    private static (Layer, Parameter, Tensor) Conv(Convolution layer, Rng rng, int size) =>
        (layer, layer.Weight, TestUtil.Random(rng, -1, 1, 3, layer.InChannels, size, size));
}
