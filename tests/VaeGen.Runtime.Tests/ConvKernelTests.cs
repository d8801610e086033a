using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics.X86;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The padded-plane im2col/col2im against the plain <see cref="Im2Col"/> loops, and the
/// batch-parallel convolutions against themselves on one thread.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class ConvKernelTests
{
    /// <param name="smallMapsInRegisters">Whether col2im of maps at most 16 wide sums rows in registers instead of the padded plane.</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PlaneGatherAndScatterMatchIm2ColOnRandomGeometries(bool smallMapsInRegisters)
    {
        bool saved = PlaneIm2Col.ScatterSmallMapsInRegisters;
        PlaneIm2Col.ScatterSmallMapsInRegisters = smallMapsInRegisters;
        try
        {
            GatherAndScatterOnRandomGeometries();
        }
        finally
        {
            PlaneIm2Col.ScatterSmallMapsInRegisters = saved;
        }
    }

    private static void GatherAndScatterOnRandomGeometries()
    {
        var rng = new Rng(31);
        for (int trial = 0; trial < 300; trial++)
        {
            int Next(int lo, int hi) => lo + (int)(rng.NextUInt64() % (ulong)(hi - lo + 1));
            int kh = Next(1, 4), kw = Next(1, 4), sh = Next(1, 3), sw = Next(1, 3), dh = Next(1, 2), dw = Next(1, 2);
            int ph = Next(0, 2), pw = Next(0, 2), channels = Next(1, 3), samples = Next(1, 4);

            // Widths around the 16-lane vector size as well as the tiny maps of small encoders.
            int h = (dh * (kh - 1)) + 1 + Next(0, trial % 3 == 0 ? 40 : 7);
            int w = (dw * (kw - 1)) + 1 + Next(0, trial % 3 == 0 ? 40 : 7);
            var g = new ConvGeometry(h, w, kh, kw, sh, sw, ph, pw, dh, dw);
            int rows = channels * g.KernelArea;
            int width = samples * g.OutArea;
            int ld = width + PlaneIm2Col.ColumnSlack + Next(0, 3);
            var images = new float[samples * channels * g.InArea];
            rng.FillUniform(images, -1, 1);

            var expected = new float[rows * width];
            var actual = new float[rows * ld];
            Array.Fill(actual, float.NaN);
            var plane = new float[PlaneIm2Col.PlaneLength(g)];
            int inPlane = channels * g.InArea;
            // Last sample first: each sample must write its own columns only (threads gather samples side by side),
            // so an earlier sample must not spill into a later one's, nor anything into the slack.
            for (int s = samples - 1; s >= 0; s--)
            {
                Im2Col.Gather(images.AsSpan(s * inPlane, inPlane), channels, g, expected.AsSpan(s * g.OutArea), width);
                PlaneIm2Col.Gather(images.AsSpan(s * inPlane, inPlane), channels, g, actual, ld, s * g.OutArea, plane);
            }

            for (int r = 0; r < rows; r++)
            {
                Assert.Equal(expected.AsSpan(r * width, width).ToArray(), actual.AsSpan(r * ld, width).ToArray());
                Assert.All(actual.AsSpan((r * ld) + width, ld - width).ToArray(), v => Assert.True(float.IsNaN(v)));
            }

            // The adjoint: columns summed back onto every image, overwriting it, with a bias.
            rng.FillUniform(actual, -1, 1);
            var bias = new float[channels];
            rng.FillUniform(bias, -1, 1);
            var scatterPlane = new float[PlaneIm2Col.PlaneLength(g)];
            for (int s = 0; s < samples; s++)
            {
                var reference = new float[inPlane];
                var compact = new float[rows * g.OutArea];
                for (int r = 0; r < rows; r++)
                {
                    actual.AsSpan((r * ld) + (s * g.OutArea), g.OutArea).CopyTo(compact.AsSpan(r * g.OutArea));
                }

                Im2Col.ScatterAdd(compact, channels, g, g.OutArea, reference);
                for (int c = 0; c < channels; c++)
                {
                    for (int i = 0; i < g.InArea; i++)
                    {
                        reference[(c * g.InArea) + i] += bias[c];
                    }
                }

                // NaN after the image too: a vector store past it would land in the next sample, which another thread may own.
                var image = new float[inPlane + 32];
                Array.Fill(image, float.NaN);
                PlaneIm2Col.Scatter(actual, ld, s * g.OutArea, channels, g, image.AsSpan(0, inPlane), scatterPlane, bias);
                Assert.Equal(reference, image.AsSpan(0, inPlane).ToArray());
                Assert.All(image.AsSpan(inPlane).ToArray(), v => Assert.True(float.IsNaN(v)));
            }
        }
    }

    public static TheoryData<string, bool> Layers() => new()
    {
        { "conv", true }, { "conv", false }, { "transposed", true }, { "transposed", false }, { "direct", true }, { "direct", false },
        { "tiles", true }, { "tiles", false }, { "transposed tiles", true }, { "transposed tiles", false },
        { "input gradient tiles", true }, { "transposed input gradient tiles", true },
    };

    /// <summary>
    /// One thread; two and three, a slot each; two to five, wide slots whose samples, products and (direct path)
    /// channel blocks are split over every thread. On a two-core machine the extra parts run on the caller, which is
    /// still a different split of the work.
    /// </summary>
    [Theory]
    [MemberData(nameof(Layers))]
    public void BatchParallelConvolutionDoesNotDependOnThreads(string kind, bool inputGradient)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        // Odd batch and a small budget: uneven groups, and slots of different sizes.
        Sgemm.ParallelThreshold = 0;
        var results = new List<float[][]>();

        // (threads, wide from): wide slots twice at each count, as a race between parts shows only now and then.
        foreach ((int threads, int wideFrom) in new[] { (1, 4), (2, 4), (3, 4), (2, 2), (3, 2), (4, 4), (5, 4), (2, 2), (3, 2), (4, 4), (5, 4), (1, 4) })
        {
            Sgemm.MaxThreads = threads;
            ConvWorkspace.WideFromThreads = wideFrom;
            Convolution layer = kind switch
            {
                "transposed" => new ConvTranspose2d(5, 3, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },
                "conv" => new Conv2d(5, 3, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },

                // A forward on tiles: 8x8 outputs, eight tiles a sample, two blocks of 32 channels.
                "tiles" => new Conv2d(17, 64, 3, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },

                // A transposed forward on tiles: four 8x8 phases of 16x16 outputs, two blocks of 32 channels.
                "transposed tiles" => new ConvTranspose2d(17, 64, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },

                // An input gradient on tiles: four 4x4 phases of the 8x8 input, 32 channels.
                "input gradient tiles" => new Conv2d(32, 17, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },

                // A transposed input gradient on tiles: 8x8 positions, 32 channels from 17.
                "transposed input gradient tiles" => new ConvTranspose2d(32, 17, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },

                // Three blocks of four input channels, the last one short.
                _ => new Conv2d(9, 3, 3, padding: 1, rng: new Rng(40)),
            };
            Assert.Equal(kind == "direct", layer is Conv2d conv && conv.UsesDirectPath(8, 8));
            Assert.Equal(kind == "tiles" && Avx512F.IsSupported, layer is Conv2d tiled && tiled.UsesTiles(8, 8));
            Assert.Equal(kind == "transposed tiles" && Avx512F.IsSupported, layer is ConvTranspose2d transposedTiles && transposedTiles.UsesTiles(8, 8));
            Assert.Equal(kind == "input gradient tiles" && Avx512F.IsSupported, layer is Conv2d gradientTiles && gradientTiles.UsesInputGradientTiles(8, 8));
            Assert.Equal(
                kind == "transposed input gradient tiles" && Avx512F.IsSupported,
                layer is ConvTranspose2d transposedGradientTiles && transposedGradientTiles.UsesInputGradientTiles(8, 8));
            layer.ComputeInputGradient = inputGradient;
            Tensor x = TestUtil.Random(new Rng(41), -1, 1, 7, layer.InChannels, 8, 8);
            Tensor y = layer.Forward(x);
            Tensor gy = TestUtil.Random(new Rng(42), -1, 1, y.Shape.ToArray());
            Tensor gx = layer.Backward(gy);
            layer.Backward(gy);
            var all = new List<float[]> { (float[])y.Data.Clone(), (float[])gx.Data.Clone() };
            foreach (NamedParameter p in layer.NamedParameters())
            {
                all.Add((float[])p.Parameter.Grad.Data.Clone());
            }

            results.Add(all.ToArray());
        }

        for (int run = 1; run < results.Count; run++)
        {
            for (int i = 0; i < results[0].Length; i++)
            {
                Assert.True(results[0][i].AsSpan().SequenceEqual(results[run][i]), $"run {run}, array {i} (y, gx, then the parameters' gradients) differs");
            }
        }
    }

    /// <summary>
    /// A second backward without zero_grad adds the same gradients again, as in PyTorch: slot 0 sums into the parameters'
    /// gradients themselves and slot 1 into a partial added afterwards, so a slot that overwrote instead, or a partial
    /// added twice or not at all, would not give twice the first backward's gradients.
    /// </summary>
    [Theory]
    [InlineData("conv")]
    [InlineData("transposed")]
    [InlineData("direct")]
    [InlineData("tiles")]
    public void ASecondBackwardAddsItsGradients(string kind)
    {
        Convolution layer = kind switch
        {
            "transposed" => new ConvTranspose2d(5, 3, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },
            "conv" => new Conv2d(5, 3, 4, stride: 2, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },
            "tiles" => new Conv2d(17, 64, 3, padding: 1, rng: new Rng(40)) { ColumnBudget = 3 * 80 * 16 },
            _ => new Conv2d(9, 3, 3, padding: 1, rng: new Rng(40)),
        };
        Tensor x = TestUtil.Random(new Rng(41), -1, 1, 7, layer.InChannels, 8, 8);
        Tensor gy = TestUtil.Random(new Rng(42), -1, 1, layer.Forward(x).Shape.ToArray());
        layer.Backward(gy);
        var once = new List<float[]>();
        foreach (NamedParameter p in layer.NamedParameters())
        {
            once.Add((float[])p.Parameter.Grad.Data.Clone());
        }

        layer.Forward(x);
        layer.Backward(gy);
        int i = 0;
        foreach (NamedParameter p in layer.NamedParameters())
        {
            float[] twice = Array.ConvertAll(once[i++], v => 2 * v);
            Assert.True(VaeGen.Testing.RelativeError.Of(p.Parameter.Grad.Data, twice) <= 1e-6, $"{kind} {p.Name}: the second backward did not add the same gradient again");
        }
    }

    [Fact]
    public void TrainingStepsDoNotDependOnThreads()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        // Every GEMM and convolution forks when it can: the most thread-dependent schedule there is.
        Sgemm.ParallelThreshold = 0;
        (double Loss, float[] Weights) one = Train(1);
        foreach (int threads in new[] { 2, 3, 4, 5 })
        {
            (double Loss, float[] Weights) other = Train(threads);
            Assert.Equal(one.Loss, other.Loss);
            Assert.Equal(one.Weights, other.Weights);
        }
    }

    private static (double Loss, float[] Weights) Train(int threads)
    {
        Sgemm.MaxThreads = threads;
        const int batch = 9, latent = 3;
        var rng = new Rng(50);
        var encoder = new Sequential(
            new Conv2d(1, 4, 4, stride: 2, padding: 1, rng: rng), new Layers.Activations.ReLU(),
            new Conv2d(4, 8, 4, stride: 2, padding: 1, rng: rng), new Layers.Activations.ReLU(),
            new Flatten(), new Linear(8 * 4 * 4, 2 * latent, rng: rng));
        var decoder = new Sequential(
            new Linear(latent, 8 * 4 * 4, rng: rng), new Unflatten(1, 8, 4, 4),
            new ConvTranspose2d(8, 4, 4, stride: 2, padding: 1, rng: rng), new Layers.Activations.ReLU(),
            new ConvTranspose2d(4, 4, 4, stride: 2, padding: 1, rng: rng), new Layers.Activations.ReLU(),
            new Conv2d(4, 1, 3, padding: 1, rng: rng));
        encoder.ComputeInputGradient = false;
        var model = new Sequential().Add("encoder", encoder).Add("decoder", decoder);
        var adam = new Optim.Adam(model.NamedParameters(), lr: 1e-2);
        var sampler = new Reparameterize(rng.Fork());
        var loss = new Losses.VaeLoss(Losses.ReconstructionTerm.BceLogits);
        Tensor x = TestUtil.Random(new Rng(51), 0, 1, batch, 1, 16, 16);
        var mu = new Tensor(batch, latent);
        var logVar = new Tensor(batch, latent);
        var gStats = new Tensor(batch, 2 * latent);
        double value = 0;
        for (int step = 0; step < 4; step++)
        {
            adam.ZeroGrad();
            Tensor stats = encoder.Forward(x);
            for (int i = 0; i < batch; i++)
            {
                Array.Copy(stats.Data, i * 2 * latent, mu.Data, i * latent, latent);
                Array.Copy(stats.Data, (i * 2 * latent) + latent, logVar.Data, i * latent, latent);
            }

            value = loss.Forward(decoder.Forward(sampler.Forward(mu, logVar)), x, mu, logVar);
            loss.Backward();
            sampler.Backward(decoder.Backward(loss.GradReconstruction), loss.GradMu, loss.GradLogVar);
            for (int i = 0; i < batch; i++)
            {
                Array.Copy(loss.GradMu.Data, i * latent, gStats.Data, i * 2 * latent, latent);
                Array.Copy(loss.GradLogVar.Data, i * latent, gStats.Data, (i * 2 * latent) + latent, latent);
            }

            encoder.Backward(gStats);
            adam.Step();
        }

        var weights = new List<float>();
        foreach (NamedParameter p in model.NamedParameters())
        {
            weights.AddRange(p.Parameter.Value.Data);
        }

        return (value, weights.ToArray());
    }

    [Fact]
    public void GroupSizeDependsOnlyOnShapes()
    {
        // fashion_conv's second convolution: 6 samples (294 positions) per group, 11 groups per slot.
        Assert.Equal(6, ConvWorkspace.GroupSize(128, 512, 49, null));
        Assert.Equal(1, ConvWorkspace.GroupSize(1, 512, 49, null));
        Assert.Equal(2, ConvWorkspace.GroupSize(5, 10, 10, 200));
        Assert.Equal(1, ConvWorkspace.GroupSize(0, 10, 10, null));
    }
}
