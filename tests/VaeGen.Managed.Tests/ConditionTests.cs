using System;
using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Specs;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>
/// A conditional VAE (spec 1.1 <c>condition: { classes: K }</c>) as its generated class: labels travel next to the batch,
/// a wrong label or a missing one is a clear exception, the label changes what the decoder draws, and a training step
/// still allocates nothing. Its numbers against PyTorch are in <see cref="PyTorchParityTests"/>.
/// </summary>
public sealed class ConditionTests
{
    private static Tensor Batch(int size, ulong seed = 1)
    {
        Tensor x = ConditionVae.CreateBatch(size);
        new Rng(seed).FillUniform(x.Span, 0, 255);
        return x;
    }

    [Fact]
    public void The_class_knows_its_classes_and_its_shapes_grow_by_K()
    {
        var model = new ConditionVae(seed: 3);
        Assert.Equal(4, ConditionVae.ConditionClasses);
        Assert.Equal(4, model.Classes);
        Assert.Equal(4, model.Config.Classes);
        Assert.Equal(24, ConditionVae.EncodedFeatures);
        Assert.Equal(24 + 4, model.FcMu.InFeatures);
        Assert.Equal(24 + 4, model.FcLogVar.InFeatures);
        Assert.Equal(3 + 4, model.Decoder.Modules().OfType<VaeGen.Runtime.Layers.Linear>().First().InFeatures);
    }

    [Fact]
    public void A_label_outside_0_to_K_minus_1_throws_naming_its_index_and_value()
    {
        var model = new ConditionVae();
        Tensor x = Batch(3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.TrainStep(x, new[] { 0, 3, 4 }));
        Assert.Equal("labels", error.ParamName);
        Assert.Contains("labels[2] is 4, outside 0..3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, new[] { -1, 0, 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode(new Tensor(1, 3), new[] { 7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Sample(new[] { 1, 4 }));
        Assert.Equal(0, model.Session.Steps);
    }

    [Fact]
    public void Labels_are_one_per_sample()
    {
        var model = new ConditionVae();
        var error = Assert.Throws<ArgumentException>(() => model.Loss(Batch(3), new[] { 0, 1 }));
        Assert.Contains("3 samples but 2 labels", error.Message, StringComparison.Ordinal);

        // A batch of the wrong shape is named as such before its labels are counted.
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => model.Encode(new Tensor(2, 3), new[] { 0, 1 })).ParamName);
    }

    [Fact]
    public void The_overloads_without_labels_throw_on_a_conditional_model_and_those_with_labels_on_an_unconditional_one()
    {
        var conditional = new ConditionVae();
        Tensor x = Batch(2);
        foreach (Action call in new Action[]
                 {
                     () => conditional.Encode(x), () => conditional.Decode(new Tensor(2, 3)), () => conditional.Forward(x), () => conditional.Loss(x),
                     () => conditional.ComputeGradients(x), () => conditional.TrainStep(x), () => conditional.Sample(2),
                 })
        {
            var error = Assert.Throws<InvalidOperationException>(call);
            Assert.Contains("conditional VAE (condition: { classes: 4 })", error.Message, StringComparison.Ordinal);
        }

        var plain = new GaussianFixedVae();
        Tensor y = GaussianFixedVae.CreateBatch(2);
        var refused = Assert.Throws<InvalidOperationException>(() => plain.TrainStep(y, new[] { 0, 1 }));
        Assert.Contains("not conditional", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => plain.Sample(new[] { 0 }));
    }

    [Fact]
    public void The_label_decides_what_the_decoder_draws_and_only_the_label()
    {
        var model = new ConditionVae(seed: 5);
        Tensor z = new(2, 3);
        new Rng(9).FillNormal(z.Span);
        z.Span.Slice(0, 3).CopyTo(z.Span.Slice(3, 3)); // the same z twice
        float[] decoded = (float[])model.Decode(z, new[] { 1, 2 }).Data.Clone();
        int sample = decoded.Length / 2;
        Assert.NotEqual(decoded.AsSpan(0, sample).ToArray(), decoded.AsSpan(sample, sample).ToArray());

        float[] same = model.Decode(z, new[] { 2, 2 }).Data;
        Assert.Equal(same.AsSpan(0, sample).ToArray(), same.AsSpan(sample, sample).ToArray());
        Assert.Equal(decoded.AsSpan(sample, sample).ToArray(), same.AsSpan(sample, sample).ToArray());

        Tensor images = model.Sample(new[] { 0, 1, 2, 3, 3 });
        Assert.Equal(new[] { 5, 6, 5, 2 }, images.Shape.ToArray());
    }

    [Fact]
    public void Training_with_labels_lowers_the_loss_of_the_batch()
    {
        var model = new ConditionVae(seed: 2);
        Tensor x = Batch(16, seed: 4);
        int[] labels = new int[16];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 4;
        }

        model.Eval();
        double before = model.Loss(x, labels, new Tensor(16, 3)).Total;
        model.Train();
        for (int i = 0; i < 200; i++)
        {
            Assert.True(model.TrainStep(x, labels).IsFinite);
        }

        model.Eval();
        double after = model.Loss(x, labels, new Tensor(16, 3)).Total;
        Assert.True(after < before, $"loss {before} -> {after}");
        Assert.Equal(200, model.Session.Steps);
    }

    [Fact]
    public void A_steady_state_conditional_training_step_allocates_nothing()
    {
        var model = new ConditionVae();
        Tensor x = Batch(8);
        int[] labels = { 0, 1, 2, 3, 3, 2, 1, 0 };
        for (int i = 0; i < 3; i++)
        {
            model.TrainStep(x, labels); // first calls allocate the buffers for this batch size
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            model.TrainStep(x, labels);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
