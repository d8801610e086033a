using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

public sealed class LayerGradientTests
{
    private static readonly Rng Seeds = new(7);

    [Fact]
    public void Conv2dStridePaddingDilation() =>
        GradCheck.Check(
            new Conv2d(3, 4, new Size2d(3, 2), stride: new Size2d(2, 1), padding: new Size2d(1, 2), dilation: new Size2d(1, 2), rng: new Rng(1)),
            TestUtil.Random(new Rng(2), -1, 1, 2, 3, 7, 6));

    [Fact]
    public void Conv2dPointwiseNoBias() =>
        GradCheck.Check(new Conv2d(4, 3, 1, bias: false, rng: new Rng(3)), TestUtil.Random(new Rng(4), -1, 1, 2, 4, 5, 5));

    [Fact]
    public void Conv2dStride2Kernel4() =>
        GradCheck.Check(new Conv2d(2, 3, 4, stride: 2, padding: 1, rng: new Rng(5)), TestUtil.Random(new Rng(6), -1, 1, 2, 2, 8, 9));

    [Fact]
    public void ConvTranspose2dStrideOutputPadding() =>
        GradCheck.Check(
            new ConvTranspose2d(3, 2, new Size2d(3, 4), stride: new Size2d(2, 3), padding: 1, outputPadding: new Size2d(1, 2), rng: new Rng(7)),
            TestUtil.Random(new Rng(8), -1, 1, 2, 3, 4, 3));

    [Fact]
    public void ConvTranspose2dDilationWithOutputPaddingAboveStride() =>
        GradCheck.Check(
            new ConvTranspose2d(2, 3, 3, stride: 1, padding: 1, outputPadding: 1, dilation: 2, bias: false, rng: new Rng(9)),
            TestUtil.Random(new Rng(10), -1, 1, 2, 2, 4, 5));

    [Fact]
    public void MaxPool2dCeilModePaddingDilation()
    {
        GradCheck.Check(new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true), TestUtil.Spaced(new Rng(11), 0.05, 2, 3, 8, 9));
        GradCheck.Check(new MaxPool2d(new Size2d(2, 3), stride: new Size2d(1, 2), padding: 1, dilation: new Size2d(2, 1)), TestUtil.Spaced(new Rng(12), 0.05, 2, 2, 7, 8));
    }

    [Theory]
    [InlineData(new float[] { 1, 1, 0, 0 }, 0)]
    [InlineData(new float[] { float.NaN, 1, float.NaN, 0 }, 2)] // the last NaN wins
    [InlineData(new float[] { 0, 3, 3, 1 }, 1)] // ties keep the first
    public void MaxPool2dTiesAndNaNFollowPyTorch(float[] values, int winner)
    {
        // Expected gradients from torch.nn.functional.max_pool2d(x, 2) in PyTorch 1.13.
        var pool = new MaxPool2d(2);
        pool.Forward(new Tensor(values, 1, 1, 2, 2));
        float[] grad = pool.Backward(new Tensor([1f], 1, 1, 1, 1)).Data;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(i == winner ? 1f : 0f, grad[i]);
        }
    }

    [Fact]
    public void AvgPool2dCeilModeBothPadCountings()
    {
        GradCheck.Check(new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true), TestUtil.Random(new Rng(13), -1, 1, 2, 3, 8, 9));
        GradCheck.Check(new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false), TestUtil.Random(new Rng(14), -1, 1, 2, 3, 8, 9));
    }

    [Fact]
    public void ZeroPad2dUnevenSides()
    {
        GradCheck.Check(new ZeroPad2d(1, 0, 2, 1), TestUtil.Random(new Rng(31), -1, 1, 2, 3, 4, 5));
        GradCheck.Check(new ZeroPad2d(0, 0, 0, 0), TestUtil.Random(new Rng(32), -1, 1, 1, 2, 3, 3));
    }

    [Fact]
    public void ResidualAddsTheInputGradientToTheBodys()
    {
        var inner = new Residual(new Sequential(new Conv2d(3, 3, 1, rng: new Rng(33)), new Tanh()));
        GradCheck.Check(new Residual(new Sequential(new Conv2d(3, 3, 3, padding: 1, rng: new Rng(34)), new Sigmoid(), inner)), TestUtil.Random(new Rng(35), -1, 1, 2, 3, 4, 4));
        GradCheck.Check(new Residual(new Sequential(new Linear(5, 5, rng: new Rng(36)), new Tanh())), TestUtil.Random(new Rng(37), -1, 1, 3, 5));
    }

    [Fact]
    public void ResidualNamesItsParametersUnderBody()
    {
        var block = new Sequential(new ReLU(), new Residual(new Sequential(new Conv2d(2, 2, 1, rng: new Rng(38)), new Residual(new Sequential(new BatchNorm2d(2))))));
        Assert.Equal(
            ["1.body.0.weight", "1.body.0.bias", "1.body.1.body.0.weight", "1.body.1.body.0.bias", "1.body.1.body.0.running_mean", "1.body.1.body.0.running_var", "1.body.1.body.0.num_batches_tracked"],
            block.StateDict().Select(s => s.Name));
        block.Eval();
        Assert.All(block.Modules(), m => Assert.False(m.Training));
        Assert.Equal(8, block.Modules().Count()); // itself, ReLU, the residual, its body, conv, the inner residual, its body, batchnorm
    }

    [Fact]
    public void UpsampleNearestAndBilinear()
    {
        GradCheck.Check(new Upsample(2, 2, UpsampleMode.Nearest), TestUtil.Random(new Rng(15), -1, 1, 2, 2, 3, 4));
        GradCheck.Check(new Upsample(1.5, 2.5, UpsampleMode.Nearest), TestUtil.Random(new Rng(16), -1, 1, 2, 2, 4, 5));
        GradCheck.Check(new Upsample(2, 2, UpsampleMode.Bilinear), TestUtil.Random(new Rng(17), -1, 1, 2, 2, 3, 4));
        GradCheck.Check(new Upsample(new Size2d(7, 5), UpsampleMode.Bilinear), TestUtil.Random(new Rng(18), -1, 1, 2, 2, 4, 3));
    }

    [Fact]
    public void LinearWithAndWithoutBias()
    {
        GradCheck.Check(new Linear(5, 3, rng: new Rng(19)), TestUtil.Random(new Rng(20), -1, 1, 4, 5));
        GradCheck.Check(new Linear(7, 2, bias: false, rng: new Rng(21)), TestUtil.Random(new Rng(22), -1, 1, 3, 7));
    }

    [Fact]
    public void BatchNormTrainAndEval()
    {
        var bn1 = new BatchNorm1d(5);
        new Rng(23).FillUniform(bn1.Weight.Value.Span, 0.5, 1.5);
        new Rng(24).FillUniform(bn1.Bias.Value.Span, -0.5, 0.5);
        GradCheck.Check(bn1, TestUtil.Random(new Rng(25), -2, 2, 6, 5));

        var bn2 = new BatchNorm2d(3);
        new Rng(26).FillUniform(bn2.Weight.Value.Span, 0.5, 1.5);
        GradCheck.Check(bn2, TestUtil.Random(new Rng(27), -2, 2, 4, 3, 3, 4));

        bn2.Eval();
        new Rng(28).FillUniform(bn2.RunningVar.Span, 0.5, 1.5);
        GradCheck.Check(bn2, TestUtil.Random(new Rng(29), -2, 2, 4, 3, 3, 4));
    }

    [Fact]
    public void SmoothActivations()
    {
        foreach (Layer layer in new Layer[] { new Sigmoid(), new Tanh(), new GELU(), new SiLU() })
        {
            GradCheck.Check(layer, TestUtil.Random(new Rng(30), -4, 4, 3, 4, 5), h: 1e-2);
        }
    }

    [Fact]
    public void PiecewiseActivationsAwayFromTheKink()
    {
        foreach (Layer layer in new Layer[] { new ReLU(), new LeakyReLU(0.2f), new ELU() })
        {
            GradCheck.Check(layer, TestUtil.Spaced(new Rng(31), 0.05, 3, 4, 5));
        }
    }

    [Fact]
    public void SequentialConvStack()
    {
        var rng = new Rng(32);
        var net = new Sequential(
            new Conv2d(2, 4, 3, padding: 1, rng: rng),
            new Tanh(),
            new AvgPool2d(2),
            new Conv2d(4, 3, 3, stride: 2, padding: 1, rng: rng),
            new Flatten(),
            new Linear(3 * 2 * 2, 6, rng: rng),
            new SiLU(),
            new Unflatten(1, 6, 1, 1),
            new ConvTranspose2d(6, 2, 4, stride: 2, padding: 1, rng: rng));
        GradCheck.Check(net, TestUtil.Random(new Rng(33), -1, 1, 2, 2, 8, 8));
    }

    [Fact]
    public void DropoutScalesSurvivorsAndRoutesGradientThroughTheMask()
    {
        var layer = new Dropout(0.3, new Rng(34));
        Tensor x = TestUtil.Random(new Rng(35), 1, 2, 50, 40);
        Tensor y = layer.Forward(x);
        Tensor gy = TestUtil.Random(new Rng(36), -1, 1, 50, 40);
        Tensor gx = layer.Backward(gy);
        int dropped = 0;
        float scale = (float)(1 / 0.7);
        for (int i = 0; i < x.Length; i++)
        {
            if (y.Data[i] == 0)
            {
                dropped++;
                Assert.Equal(0f, gx.Data[i]);
            }
            else
            {
                Assert.Equal(x.Data[i] * scale, y.Data[i]);
                Assert.Equal(gy.Data[i] * scale, gx.Data[i]);
            }
        }

        Assert.InRange(dropped / (double)x.Length, 0.27, 0.33);

        layer.Eval();
        Assert.Same(x, layer.Forward(x));
        Assert.Same(gy, layer.Backward(gy));
    }

    [Fact]
    public void FlattenAndUnflattenAreViews()
    {
        Tensor x = TestUtil.Random(new Rng(37), -1, 1, 2, 3, 4, 5);
        var flatten = new Flatten();
        Tensor f = flatten.Forward(x);
        Assert.Equal(new[] { 2, 60 }, f.Shape.ToArray());
        Assert.Same(x.Data, f.Data);
        Tensor u = new Unflatten(1, 3, 20).Forward(f);
        Assert.Equal(new[] { 2, 3, 20 }, u.Shape.ToArray());
        Assert.Same(x.Data, u.Data);
        Tensor g = flatten.Backward(f);
        Assert.Equal(x.Shape.ToArray(), g.Shape.ToArray());
        Assert.Same(x.Data, g.Data);
        Assert.Equal(new[] { 2, 12, 5 }, new Flatten(1, 2).Forward(x).Shape.ToArray());
    }

    [Fact]
    public void OneHotConcatAppendsTheLabelsAndPassesBackOnlyTheVectorsGradient()
    {
        var concat = new OneHotConcat(3);
        var v = new Tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        Tensor joined = concat.Forward(v, new[] { 2, 0 });
        Assert.Equal(new[] { 2, 5 }, joined.Shape.ToArray());
        Assert.Equal(new float[] { 1, 2, 0, 0, 1, 3, 4, 1, 0, 0 }, joined.Data);

        // The one-hot columns are constants: of d/d concat only the first F columns reach v.
        Tensor grad = concat.Backward(new Tensor(new float[] { 10, 11, 12, 13, 14, 20, 21, 22, 23, 24 }, 2, 5));
        Assert.Equal(new[] { 2, 2 }, grad.Shape.ToArray());
        Assert.Equal(new float[] { 10, 11, 20, 21 }, grad.Data);

        var error = Assert.Throws<System.ArgumentOutOfRangeException>(() => concat.Forward(v, new[] { 0, 3 }));
        Assert.Contains("labels[1] is 3, outside 0..2", error.Message, System.StringComparison.Ordinal);
        Assert.Throws<System.ArgumentException>(() => concat.Forward(v, new[] { 0 }));
        Assert.Throws<System.ArgumentOutOfRangeException>(() => new OneHotConcat(1));
    }

    [Fact]
    public void ReparameterizeGradients()
    {
        var rng = new Rng(38);
        Tensor mu = TestUtil.Random(rng, -1, 1, 3, 4);
        Tensor logVar = TestUtil.Random(rng, -1, 1, 3, 4);
        Tensor eps = TestUtil.RandomNormal(rng, 3, 4);
        var rep = new Reparameterize(new Rng(39));
        Tensor r = TestUtil.Random(rng, -1, 1, 3, 4);
        rep.Forward(mu, logVar, eps);
        var gMu = new Tensor(3, 4);
        var gLv = new Tensor(3, 4);
        rep.Backward(r, gMu, gLv);
        for (int i = 0; i < mu.Length; i++)
        {
            Assert.Equal(r.Data[i], gMu.Data[i]);
            double h = 1e-3;
            float orig = logVar.Data[i];
            logVar.Data[i] = (float)(orig + h);
            double zPlus = rep.Forward(mu, logVar, eps).Data[i];
            logVar.Data[i] = (float)(orig - h);
            double zMinus = rep.Forward(mu, logVar, eps).Data[i];
            logVar.Data[i] = orig;
            double numeric = r.Data[i] * (zPlus - zMinus) / ((double)(float)(orig + h) - (float)(orig - h));
            Assert.True(System.Math.Abs(numeric - gLv.Data[i]) <= 2e-3 * System.Math.Max(1, System.Math.Abs(numeric)), $"d/dlogvar[{i}] {numeric} vs {gLv.Data[i]}");
        }

        rep.Training = false;
        Tensor z = rep.Forward(mu, logVar);
        Assert.Equal(mu.Data, z.Data);
    }
}
