using VaeGen.Runtime.Layers;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>Output sizes against PyTorch 1.13, recorded from tools/torch/shape_formulas.py.</summary>
public sealed class ShapeFormulaTests
{
    [Theory]
    [InlineData(28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28)]
    [InlineData(28, 28, 4, 4, 2, 2, 1, 1, 1, 1, 14, 14)]
    [InlineData(7, 9, 3, 2, 2, 1, 1, 2, 1, 2, 4, 11)]
    [InlineData(5, 5, 5, 5, 1, 1, 0, 0, 1, 1, 1, 1)]
    [InlineData(10, 11, 3, 3, 3, 3, 0, 0, 2, 2, 2, 3)]
    [InlineData(64, 48, 5, 5, 2, 2, 2, 2, 1, 1, 32, 24)]
    public void Conv2d(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow)
    {
        var conv = new Layers.Conv2d(1, 1, new Size2d(kh, kw), new Size2d(sh, sw), new Size2d(ph, pw), new Size2d(dh, dw));
        Assert.Equal(new Size2d(oh, ow), conv.OutputSize(h, w));
        Assert.Equal(new[] { 1, 1, oh, ow }, conv.Forward(new Runtime.Tensors.Tensor(1, 1, h, w)).Shape.ToArray());
    }

    [Theory]
    [InlineData(7, 7, 4, 4, 2, 2, 1, 1, 0, 0, 1, 14, 14)]
    [InlineData(4, 3, 3, 4, 2, 3, 1, 1, 1, 2, 1, 8, 10)]
    [InlineData(4, 5, 3, 3, 1, 1, 1, 1, 1, 1, 2, 7, 8)]
    [InlineData(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 28, 28)]
    [InlineData(1, 1, 4, 4, 1, 1, 0, 0, 0, 0, 1, 4, 4)]
    [InlineData(5, 6, 5, 5, 3, 3, 2, 2, 2, 2, 1, 15, 18)]
    public void ConvTranspose2d(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oph, int opw, int d, int oh, int ow)
    {
        var conv = new Layers.ConvTranspose2d(1, 1, new Size2d(kh, kw), new Size2d(sh, sw), new Size2d(ph, pw), new Size2d(oph, opw), d);
        Assert.Equal(new Size2d(oh, ow), conv.OutputSize(h, w));
        Assert.Equal(new[] { 1, 1, oh, ow }, conv.Forward(new Runtime.Tensors.Tensor(1, 1, h, w)).Shape.ToArray());
    }

    [Theory]
    [InlineData(8, 9, 3, 2, 1, 1, true, 5, 5)]
    [InlineData(8, 9, 3, 2, 1, 1, false, 4, 5)]
    [InlineData(7, 7, 2, 2, 0, 1, true, 4, 4)]
    [InlineData(7, 7, 2, 2, 0, 1, false, 3, 3)]
    [InlineData(6, 6, 3, 3, 1, 1, true, 3, 3)]
    [InlineData(5, 5, 2, 2, 1, 1, true, 3, 3)] // ceil gives 4; the last window would start in the right padding
    [InlineData(10, 10, 3, 2, 1, 2, true, 5, 5)]
    [InlineData(28, 28, 2, 2, 0, 1, false, 14, 14)]
    [InlineData(4, 4, 3, 2, 1, 1, true, 3, 3)]
    [InlineData(3, 3, 2, 2, 1, 1, true, 2, 2)] // ceil gives 3; dropped as above
    public void Pooling(int h, int w, int k, int s, int p, int d, bool ceil, int oh, int ow)
    {
        var max = new MaxPool2d(k, s, p, d, ceil);
        Assert.Equal(new Size2d(oh, ow), max.OutputSize(h, w));
        Assert.Equal(new[] { 1, 1, oh, ow }, max.Forward(new Runtime.Tensors.Tensor(1, 1, h, w)).Shape.ToArray());
        if (d == 1)
        {
            var avg = new AvgPool2d(k, s, p, ceil);
            Assert.Equal(new[] { 1, 1, oh, ow }, avg.Forward(new Runtime.Tensors.Tensor(1, 1, h, w)).Shape.ToArray());
        }
    }

    [Theory]
    [InlineData(3, 4, 2.0, 6, 8)]
    [InlineData(4, 5, 1.5, 6, 7)]
    [InlineData(5, 5, 0.5, 2, 2)]
    [InlineData(7, 3, 2.5, 17, 7)]
    public void UpsampleScale(int h, int w, double scale, int oh, int ow) =>
        Assert.Equal(new Size2d(oh, ow), new Upsample(scale, scale, UpsampleMode.Nearest).OutputSize(h, w));

    [Fact]
    public void InvalidConfigurationsAreRejectedAsInPyTorch()
    {
        Assert.Throws<System.ArgumentException>(() => new Layers.ConvTranspose2d(1, 1, 3, stride: 2, outputPadding: 2));
        Assert.Throws<System.ArgumentException>(() => new MaxPool2d(2, padding: 2).Forward(new Runtime.Tensors.Tensor(1, 1, 8, 8)));
        Assert.Throws<System.ArgumentException>(() => new Layers.Conv2d(1, 1, 5).Forward(new Runtime.Tensors.Tensor(1, 1, 4, 4)));
        Assert.Throws<System.ArgumentException>(() => new BatchNorm1d(3).Forward(new Runtime.Tensors.Tensor(1, 3)));
    }
}
