using System;
using System.IO;
using System.Linq;
using VaeGen.Data;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Specs;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Managed.Tests;

/// <summary>
/// Every generated class trains on real images from the repository (the committed Fashion-MNIST
/// subset, or the photo patches for the RGB specs): the loss on a held-out batch falls.
/// </summary>
public class TrainingTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Models.ShippedSpecs), MemberType = typeof(Models))]
    public void The_loss_on_held_out_images_falls_with_training(string specFile)
    {
        VaeModel model = Models.Create(specFile, seed: 7);
        var (train, heldOut) = RealImages.For(model.Config);
        // The 64x64 RGB model costs ~20x the others per sample: fewer, smaller steps keep the test short.
        bool large = specFile == "seed002_rgb64.vae.yaml";
        int batch = large ? 16 : 32;
        int steps = large ? 15 : 60;
        Tensor x = new(model.Config.BatchShape(batch));
        Tensor check = new(model.Config.BatchShape(heldOut.Count));
        heldOut.FillBatch(Enumerable.Range(0, heldOut.Count).ToArray(), check, model.Config.Layout, Divisor(model.Config));
        model.Eval();
        double before = model.Loss(check).Total;
        model.Train();
        var order = new Rng(3);
        var indices = new int[batch];
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < batch; i++)
            {
                indices[i] = (int)(order.NextUInt64() % (ulong)train.Count);
            }

            train.FillBatch(indices, x, model.Config.Layout, Divisor(model.Config));
            Assert.True(model.TrainStep(x).IsFinite);
        }

        model.Eval();
        double after = model.Loss(check).Total;
        output.WriteLine($"{specFile}: held-out loss {before:F2} -> {after:F2} after {steps} steps of {batch}");
        Assert.True(after < 0.8 * before, $"{specFile}: held-out loss went from {before:F2} to {after:F2}");
    }

    [Theory]
    [MemberData(nameof(Models.ShippedSpecs), MemberType = typeof(Models))]
    public void A_steady_state_training_step_allocates_nothing(string specFile)
    {
        VaeModel model = Models.Create(specFile);
        Tensor x = new(model.Config.BatchShape(8));
        new Rng(1).FillUniform(x.Span, 0, 1);
        for (int i = 0; i < 3; i++)
        {
            model.TrainStep(x); // first calls allocate the buffers for this batch size
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            model.TrainStep(x);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void One_seed_gives_the_same_weights_and_losses_and_another_seed_does_not()
    {
        double[] Run(ulong seed)
        {
            var model = new FashionConvVae(seed);
            Tensor x = FashionConvVae.CreateBatch(16);
            new Rng(5).FillUniform(x.Span, 0, 255);
            return Enumerable.Range(0, 3).Select(_ => model.TrainStep(x).Total).ToArray();
        }

        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11), Run(12));
    }

    [Fact]
    public void Weights_round_trip_and_a_file_of_another_spec_changes_nothing()
    {
        using (var temp = new TempFolder("vaegen-weights-"))
        {
            string folder = temp.Path;
            var trained = new FashionMlpVae(seed: 1);
            Tensor x = FashionMlpVae.CreateBatch(8);
            new Rng(2).FillUniform(x.Span, 0, 255);
            trained.TrainStep(x);
            string path = Path.Combine(folder, "mlp.safetensors");
            trained.SaveWeights(path);

            var loaded = new FashionMlpVae(seed: 9);
            loaded.LoadWeights(path);
            Assert.Equal(trained.StateDict().Select(s => s.Float32), loaded.StateDict().Select(s => s.Float32));

            string other = Path.Combine(folder, "conv.safetensors");
            new FashionConvVae().SaveWeights(other);
            float[] snapshot = loaded.FcMu.Weight.Value.Data.ToArray();
            var error = Assert.Throws<SafeTensorsException>(() => loaded.LoadWeights(other));
            Assert.Contains("conv.safetensors", error.Message);
            Assert.Contains("'encoder.1.weight'", error.Message); // names the tensor that does not fit
            Assert.Equal(snapshot, loaded.FcMu.Weight.Value.Data);
        }
    }

    [Theory]
    [InlineData(new[] { 8, 1, 28, 28 }, "permute the axes as (0, 2, 3, 1)")]
    [InlineData(new[] { 8, 28, 28 }, "but got [8, 28, 28]")]
    [InlineData(new[] { 8, 14, 14, 1 }, "expects a batch shaped (B, 28, 28, 1) (nhwc: batch, height, width, channels)")]
    public void A_batch_of_the_wrong_shape_is_refused_with_a_fix(int[] shape, string expected)
    {
        var model = new FashionConvVae();
        var error = Assert.Throws<ArgumentException>(() => model.TrainStep(new Tensor(shape)));
        Assert.Contains(expected, error.Message);
    }

    /// <summary>Stored bytes are 0..255: the specs with a scale take them as they are, the one without (range [0, 1]) divided by 255.</summary>
    private static float Divisor(VaeConfig config) => config.Scale == 1 ? 255f : 1f;
}
