using System;
using TorchSharp;
using VaeGen.Specs;
using Xunit;
using TorchTensor = TorchSharp.torch.Tensor;

namespace VaeGen.TorchSharpTests;

/// <summary>
/// The TorchSharp class of a conditional VAE (spec 1.1 <c>condition: { classes: K }</c>) beyond its numbers (which
/// <see cref="PyTorchParityTests"/> holds to PyTorch with the labels next to the batch): the labels decide the decoding,
/// a label outside 0..K-1 or a wrong labels tensor is refused before one_hot sees it, and Sample draws the classes given.
/// </summary>
public sealed class ConditionTests
{
    [Fact]
    public void The_labels_decide_what_the_decoder_gives()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ConditionVae();
        using var noGrad = torch.no_grad();
        TorchTensor z = torch.randn(1, ConditionVae.LatentDim).expand(2, ConditionVae.LatentDim);
        TorchTensor same = model.Decode(z, torch.tensor(new long[] { 2, 2 }));
        TorchTensor other = model.Decode(z, torch.tensor(new long[] { 2, 3 }));
        // libtorch's GEMM may round two rows of one batch differently in the last bit, and the decoder gives logits,
        // which can sit near zero where allclose's default tolerance is below one rounding: over 3,000 seeds the rows
        // of one label differed by at most 1.5e-7, those of two labels by at least 0.08.
        Assert.True(LargestGap(same[0], same[1]) < 1e-5);
        Assert.True(LargestGap(same[0], other[0]) < 1e-5);
        Assert.True(LargestGap(other[0], other[1]) > 1e-2);
    }

    private static float LargestGap(TorchTensor a, TorchTensor b) => (a - b).abs().max().item<float>();

    [Fact]
    public void A_label_outside_0_to_K_minus_1_throws_naming_its_index_and_value()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ConditionVae();
        TorchTensor x = torch.rand(3, 6, 5, 2) * 255;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.forward(x, torch.tensor(new long[] { 0, 3, 4 })));
        Assert.Equal("labels", error.ParamName);
        Assert.Contains("labels[2] is 4, outside 0..3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, torch.tensor(new long[] { -1, 0, 0 })));
        var classes = Assert.Throws<ArgumentOutOfRangeException>(() => model.Sample(torch.tensor(new long[] { 1, 9 })));
        Assert.Contains("classes[1] is 9", classes.Message, StringComparison.Ordinal);

        // One int64 per sample: an int32 tensor, or too few labels, is refused before one_hot sees it.
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, torch.tensor(new[] { 0, 1, 2 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, torch.tensor(new long[] { 0, 1 })));
    }

    [Fact]
    public void Sample_draws_one_image_per_class_given()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ConditionVae();
        model.eval();
        TorchTensor images = model.Sample(torch.tensor(new long[] { 0, 1, 2, 3, 3, 0 }));
        Assert.Equal(new long[] { 6, 6, 5, 2 }, images.shape);
        Assert.True(images.min().item<float>() >= 0 && images.max().item<float>() <= 1); // bce_logits: probabilities
    }
}
