using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using VaeGen.Builder;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Lowering;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// An evaluation-mode batch norm and/or ReLU-like activation after a convolution runs inside the convolution's pass,
/// and a ReLU-like activation after a linear layer inside the product's threads (<see cref="InferenceEpilogue"/>): the
/// same bits in the same tensor as the layers run one after another, on every convolution and product path and thread
/// split, and a backward after it gives the unfused gradients.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class InferenceFusionTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string path in new[] { "conv", "transposed", "direct", "tiles" })
        {
            foreach (string after in new[] { "batchnorm", "relu", "leaky_relu", "batchnorm+leaky_relu", "batchnorm+relu" })
            {
                data.Add(path, after);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedPassesGiveTheUnfusedBitsAndGradients(string path, string after)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.ParallelThreshold = 0;

        // One thread; a slot per thread; wide slots, whose per-sample work (the fused pass too) is split over the threads.
        foreach ((int threads, int wideFrom) in new[] { (1, 4), (2, 4), (2, 2), (3, 2), (4, 4) })
        {
            Sgemm.MaxThreads = threads;
            ConvWorkspace.WideFromThreads = wideFrom;
            (Sequential model, _) = Build(path, after);
            var convolution = (Convolution)model.Children[0].Layer;
            Assert.True(InferenceEpilogue.Find(model.Children, 1, convolution.OutChannels, null) is { } epilogue && epilogue.Layers == after.Split('+').Length);
            AssertFusedGivesTheUnfusedBitsAndGradients(() => Build(path, after), $"{threads} threads, wide from {wideFrom}");
        }
    }

    /// <summary>
    /// The product paths a linear layer's forward can take: tiles split by columns (7 or 40 rows of 70 features), by rows
    /// (100 rows; or 40 with the weight packed once, as in InferenceMode), a short product over a long k (6 x 20 x 600, which a linear layer computes with tiles too, so that a sample's bits do not depend on its batch), C formed transposed (10 features, fewer than a
    /// tile is wide, over 40 rows), a rank-3 input; with and without a bias, before a ReLU or a leaky ReLU (which a value
    /// passed through twice, or not at all, would show).
    /// </summary>
    public static TheoryData<string, bool, bool> LinearCases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (string path in new[] { "tiles", "wide", "tall", "packed", "short", "transposed", "rank3" })
        {
            foreach (bool bias in new[] { true, false })
            {
                foreach (bool leaky in new[] { true, false })
                {
                    data.Add(path, bias, leaky);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LinearCases))]
    public void FusedLinearPassesGiveTheUnfusedBitsAndGradients(string path, bool bias, bool leaky)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.ParallelThreshold = 0;
        foreach (int threads in new[] { 1, 2, 3, 4 })
        {
            Sgemm.MaxThreads = threads;
            (Sequential model, _) = BuildLinear(path, bias, leaky);
            Assert.Equal(1, InferenceEpilogue.FindAfterLinear(model.Children, 1, null)?.Layers);
            AssertFusedGivesTheUnfusedBitsAndGradients(() => BuildLinear(path, bias, leaky), $"{threads} threads");
        }
    }

    /// <summary>
    /// A model <paramref name="build"/> makes gives the unfused bits fused, in the tensor its last fused layer returns
    /// either way, and a backward after a model's only (fused) forward (the layers it skipped run first) gives the
    /// unfused gradients and leaves the forward's result alone.
    /// </summary>
    private static void AssertFusedGivesTheUnfusedBitsAndGradients(Func<(Sequential Model, Tensor Input)> build, string context)
    {
        (Sequential fused, Tensor x) = build();
        (Sequential unfused, _) = build();
        unfused.FusesInference = false;
        Tensor expected = unfused.Forward(x);
        Tensor actual = fused.Forward(x);
        Assert.True(expected.Data.AsSpan().SequenceEqual(actual.Data), $"{context}: the fused output differs");
        fused.FusesInference = false;
        Assert.Same(actual, fused.Forward(x));
        fused.FusesInference = true;
        Assert.Same(actual, fused.Forward(x));

        (Sequential fusedOnly, _) = build();
        Tensor result = fusedOnly.Forward(x);
        float[] before = (float[])result.Data.Clone();
        Tensor gy = TestUtil.Random(new Rng(52), -1, 1, expected.Shape.ToArray());
        float[] expectedGx = (float[])unfused.Backward(gy).Data.Clone();
        float[] actualGx = (float[])fusedOnly.Backward(gy).Data.Clone();
        Assert.True(expectedGx.AsSpan().SequenceEqual(actualGx), $"{context}: the input gradient after a fused forward differs");
        Assert.True(before.AsSpan().SequenceEqual(result.Data), $"{context}: the backward changed the fused forward's result");
        foreach ((NamedParameter e, NamedParameter a) in unfused.NamedParameters().Zip(fusedOnly.NamedParameters()))
        {
            Assert.True(e.Parameter.Grad.Data.AsSpan().SequenceEqual(a.Parameter.Grad.Data), $"{context}: {e.Name}'s gradient differs");
        }
    }

    [Fact]
    public void OnlyPositionFreeActivationsFuseAfterALinearLayer()
    {
        var linear = new Linear(4, 6, rng: new Rng(1));
        Assert.Null(FindAfter(linear, new Tanh()));
        Assert.Null(FindAfter(linear, new Sigmoid()));
        Assert.Null(FindAfter(linear, new BatchNorm1d(6), new ReLU()));
        Assert.Null(FindAfter(linear));
        Assert.Equal(1, FindAfter(linear, new LeakyReLU(0.2f))?.Layers);
        Assert.Equal(1, FindAfter(linear, new ReLU(), new ReLU())?.Layers);
    }

    /// <summary>The shipped specs whose convolutions are followed by batch norms or ReLUs, or linear layers by ReLUs, evaluated as the tool builds them.</summary>
    [Theory]
    [InlineData("vanilla_vae64", 3)]
    [InlineData("seed002_rgb64", 3)]
    [InlineData("fashion_conv", 5)]
    [InlineData("fashion_mlp", 7)]
    [InlineData("seed000", 9)]
    public void SpecModelsEvaluateToTheSameBitsFused(string spec, int batch)
    {
        ModelConstruction lowered = TestUtil.LowerSpec(spec);
        (Sequential encoder, Sequential decoder, Tensor x, Tensor z) Build()
        {
            ModelParts parts = ModelBuilder.CreateParts(lowered, new Rng(1));
            parts.Encoder.Eval();
            parts.Decoder.Eval();
            VaeConfig config = parts.Config;
            return (parts.Encoder, parts.Decoder, TestUtil.Random(new Rng(2), 0, 1, batch, config.Channels, config.Height, config.Width),
                TestUtil.RandomNormal(new Rng(3), batch, config.LatentDim));
        }

        (Sequential encoder, Sequential decoder, Tensor x, Tensor z) = Build();
        (Sequential plainEncoder, Sequential plainDecoder, _, _) = Build();
        foreach (Sequential s in plainEncoder.Modules().Concat(plainDecoder.Modules()).OfType<Sequential>())
        {
            s.FusesInference = false;
        }

        Assert.True(plainEncoder.Forward(x).Data.AsSpan().SequenceEqual(encoder.Forward(x).Data), "encoder");
        Assert.True(plainDecoder.Forward(z).Data.AsSpan().SequenceEqual(decoder.Forward(z).Data), "decoder");
    }

    [Fact]
    public void OnlyEvaluationBatchNormsOverTheChannelsAndPositionFreeActivationsFuse()
    {
        var conv = new Conv2d(3, 4, 3, rng: new Rng(1));
        Assert.Null(Find(conv, new Tanh()));
        Assert.Null(Find(conv, new Sigmoid()));
        Assert.Null(Find(conv, new Flatten()));
        Assert.Null(Find(conv));
        Assert.Null(Find(conv, new BatchNorm2d(5)));
        Assert.Null(Find(conv, new BatchNorm1d(4)));
        Assert.Equal(2, Find(conv, new BatchNorm2d(4), new LeakyReLU(0.2f))?.Layers);
        Assert.Equal(1, Find(conv, new BatchNorm2d(4), new Tanh())?.Layers);
        Assert.Equal(1, Find(conv, new ReLU(), new ReLU())?.Layers);

        // A batch norm still training normalises with the batch's statistics: neither it nor what follows fuses.
        var training = new BatchNorm2d(4);
        Sequential layers = Sequential(conv, training, new ReLU());
        training.SetTraining(true);
        Assert.Null(InferenceEpilogue.Find(layers.Children, 1, conv.OutChannels, null));
    }

    [Fact]
    public void TrainingPassesDoNotFuse()
    {
        var rng = new Rng(5);
        var norm = new BatchNorm2d(8);
        var model = new Sequential(new Conv2d(3, 8, 3, padding: 1, rng: rng), norm, new ReLU());
        Tensor x = TestUtil.Random(rng, -1, 1, 4, 3, 6, 6);
        model.Forward(x);
        Assert.Equal(1, norm.NumBatchesTracked[0]);
        Assert.NotEqual(0f, norm.RunningMean.Data[0]);
    }

    /// <summary>The epilogue the layers after <paramref name="linear"/> form in an evaluation-mode container.</summary>
    private static InferenceEpilogue? FindAfter(Linear linear, params Layer[] after)
    {
        var layers = new Sequential(new Layer[] { linear }.Concat(after).ToArray());
        layers.Eval();
        return InferenceEpilogue.FindAfterLinear(layers.Children, 1, null);
    }

    /// <summary>A linear layer of a path (see <see cref="LinearCases"/>), its activation and a flatten, in evaluation mode, and its input with a NaN and zeros.</summary>
    private static (Sequential Model, Tensor Input) BuildLinear(string path, bool bias, bool leaky)
    {
        var rng = new Rng(60);
        (int[] shape, int outFeatures) = path switch
        {
            "tiles" => (new[] { 7, 33 }, 70),
            "wide" or "packed" => (new[] { 40, 33 }, 70),
            "tall" => (new[] { 100, 33 }, 70),
            "short" => (new[] { 6, 600 }, 20),
            "transposed" => (new[] { 40, 24 }, 10),
            _ => (new[] { 3, 5, 33 }, 70),
        };
        var linear = new Linear(shape[^1], outFeatures, bias, rng);
        var model = new Sequential(linear, leaky ? new LeakyReLU(0.1f) : new ReLU(), new Flatten());
        model.Eval();
        linear.HoldWeightsConstant(path == "packed");
        Tensor x = TestUtil.Random(new Rng(61), -1, 1, shape);
        x.Data[shape[^1] + 3] = float.NaN;
        x.Data.AsSpan(2 * shape[^1], shape[^1]).Clear();
        return (model, x);
    }

    /// <summary>The epilogue the layers after <paramref name="conv"/> form in an evaluation-mode container.</summary>
    private static InferenceEpilogue? Find(Convolution conv, params Layer[] after) =>
        InferenceEpilogue.Find(Sequential(conv, after).Children, 1, conv.OutChannels, null);

    private static Sequential Sequential(Convolution conv, params Layer[] after)
    {
        var layers = new Sequential(new Layer[] { conv }.Concat(after).ToArray());
        layers.Eval();
        return layers;
    }

    /// <summary>The convolution of a path, the layers after it and a flatten (so the fused group is not last), in evaluation mode, and its input.</summary>
    private static (Sequential Model, Tensor Input) Build(string path, string after)
    {
        var rng = new Rng(40);
        Convolution conv = path switch
        {
            "transposed" => new ConvTranspose2d(5, 3, 4, stride: 2, padding: 1, rng: rng) { ColumnBudget = 3 * 80 * 16 },
            "conv" => new Conv2d(5, 3, 4, stride: 2, padding: 1, rng: rng) { ColumnBudget = 3 * 80 * 16 },
            "tiles" => new Conv2d(17, 64, 3, padding: 1, rng: rng),
            _ => new Conv2d(9, 3, 3, padding: 1, rng: rng),
        };
        Assert.Equal(path == "direct", conv is Conv2d c && c.UsesDirectPath(8, 8));
        Assert.Equal(path == "tiles" && Avx512F.IsSupported, conv is Conv2d t && t.UsesTiles(8, 8));
        var layers = new List<Layer> { conv };
        foreach (string name in after.Split('+'))
        {
            layers.Add(name switch
            {
                "batchnorm" => Norm(conv.OutChannels, rng),
                "relu" => new ReLU(),
                _ => new LeakyReLU(0.1f),
            });
        }

        layers.Add(new Flatten());
        var model = new Sequential(layers.ToArray());
        model.Eval();

        // Seven samples, with a NaN and exact zeros in the input so that some outputs are NaN and the activation sees them.
        Tensor x = TestUtil.Random(new Rng(41), -1, 1, 7, conv.InChannels, 8, 8);
        x.Data[(3 * conv.InChannels * 64) + 17] = float.NaN;
        x.Data.AsSpan(5 * conv.InChannels * 64, 40).Clear();
        return (model, x);
    }

    /// <summary>A batch norm with running statistics and an affine transform far from the identity.</summary>
    private static BatchNorm2d Norm(int channels, Rng rng)
    {
        var norm = new BatchNorm2d(channels);
        rng.FillUniform(norm.RunningMean.Span, -0.5, 0.5);
        rng.FillUniform(norm.RunningVar.Span, 0.2, 3);
        rng.FillUniform(norm.Weight.Value.Span, -2, 2);
        rng.FillUniform(norm.Bias.Value.Span, -1, 1);
        return norm;
    }
}
