using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary><see cref="Layer.ComputeInputGradient"/>: skipping d loss / d input must leave parameter gradients untouched.</summary>
public sealed class InputGradientTests
{
    public static TheoryData<string> ParameterisedLayers() => new() { "conv", "convT", "linear", "bn2d", "bn1d" };

    private static (Layer Layer, int[] Input) Make(string kind) => kind switch
    {
        "conv" => (new Conv2d(3, 5, 4, stride: 2, padding: 1, rng: new Rng(1)), [3, 3, 10, 9]),
        "convT" => (new ConvTranspose2d(4, 3, 4, stride: 2, padding: 1, rng: new Rng(2)), [3, 4, 5, 6]),
        "linear" => (new Linear(7, 4, rng: new Rng(3)), [5, 7]),
        "bn2d" => (new BatchNorm2d(3), [4, 3, 2, 5]),
        _ => (new BatchNorm1d(6), [5, 6]),
    };

    [Theory]
    [MemberData(nameof(ParameterisedLayers))]
    public void ParameterGradientsAreIdenticalWithoutTheInputGradient(string kind)
    {
        (Layer full, int[] shape) = Make(kind);
        (Layer skip, _) = Make(kind);
        Assert.True(skip.ComputeInputGradient);
        skip.ComputeInputGradient = false;
        Tensor x = TestUtil.Random(new Rng(10), -1, 1, shape);
        for (int round = 0; round < 2; round++)
        {
            // Two rounds: gradients accumulate, and buffers are reused on the second.
            Tensor y = full.Forward(x);
            Assert.Equal(y.Data, skip.Forward(x).Data);
            Tensor gy = TestUtil.Random(new Rng((ulong)(11 + round)), -1, 1, y.Shape.ToArray());
            Tensor gx = full.Backward(gy);
            Assert.Equal(x.Length, gx.Length);
            Assert.Same(Layer.NoInputGradient, skip.Backward(gy));
            AssertSameGradients(full, skip);
        }
    }

    [Fact]
    public void NoInputGradientIsEmpty()
    {
        Assert.Equal(0, Layer.NoInputGradient.Length);
        Assert.Equal(1, Layer.NoInputGradient.Rank);
        Assert.Equal(0, Layer.NoInputGradient.Dim(0));
    }

    [Fact]
    public void ParameterFreeLayersSkipAllWork()
    {
        Tensor x = TestUtil.Random(new Rng(4), -1, 1, 2, 3, 4, 4);
        foreach (Layer layer in new Layer[] { new ReLU(), new Sigmoid(), new MaxPool2d(2), new AvgPool2d(2), new Upsample(2, 2, UpsampleMode.Nearest), new Flatten(), new Dropout(0.5, new Rng(5)) })
        {
            layer.ComputeInputGradient = false;
            layer.Forward(x);

            // They may be handed the empty tensor an earlier skipping layer returned.
            Assert.Same(Layer.NoInputGradient, layer.Backward(Layer.NoInputGradient));
        }
    }

    [Fact]
    public void SequentialAppliesTheSettingUpToItsFirstParameterisedChild()
    {
        var pool = new MaxPool2d(2);
        var conv = new Conv2d(1, 2, 3, padding: 1, rng: new Rng(6));
        var relu = new ReLU();
        var conv2 = new Conv2d(2, 2, 3, padding: 1, rng: new Rng(7));
        var inner = new Sequential(new Flatten(), new Linear(8, 3, rng: new Rng(8)));
        var seq = new Sequential(pool, conv, relu, conv2);
        seq.ComputeInputGradient = false;
        Assert.False(pool.ComputeInputGradient);
        Assert.False(conv.ComputeInputGradient);
        Assert.True(relu.ComputeInputGradient);
        Assert.True(conv2.ComputeInputGradient);

        seq.ComputeInputGradient = true;
        Assert.True(pool.ComputeInputGradient && conv.ComputeInputGradient);

        // Nested containers apply the rule inside; a container with parameters ends the run.
        var outer = new Sequential(inner, new ReLU());
        outer.ComputeInputGradient = false;
        Assert.False(inner.ComputeInputGradient);
        Assert.False(inner.Children[0].Layer.ComputeInputGradient);
        Assert.False(inner.Children[1].Layer.ComputeInputGradient);
        Assert.True(outer.Children[1].Layer.ComputeInputGradient);

        // Children added later follow the rule while no parameterised child precedes them.
        var late = new Sequential(new ReLU());
        late.ComputeInputGradient = false;
        var lateConv = new Conv2d(1, 1, 1, rng: new Rng(9));
        var after = new ReLU();
        late.Add(lateConv).Add(after);
        Assert.False(lateConv.ComputeInputGradient);
        Assert.True(after.ComputeInputGradient);
    }

    [Fact]
    public void EncoderWithoutInputGradientTrainsIdentically()
    {
        Sequential Build() => new(
            new Conv2d(2, 4, 4, stride: 2, padding: 1, rng: new Rng(20)), new ReLU(),
            new Conv2d(4, 6, 4, stride: 2, padding: 1, rng: new Rng(21)), new BatchNorm2d(6), new ReLU(),
            new Flatten(), new Linear(6 * 2 * 2, 5, rng: new Rng(22)));
        Sequential full = Build();
        Sequential skip = Build();
        skip.ComputeInputGradient = false;
        Tensor x = TestUtil.Random(new Rng(23), -1, 1, 3, 2, 8, 8);
        Tensor y = full.Forward(x);
        Assert.Equal(y.Data, skip.Forward(x).Data);
        Tensor gy = TestUtil.Random(new Rng(24), -1, 1, y.Shape.ToArray());
        Assert.Equal(x.Length, full.Backward(gy).Length);
        Assert.Same(Layer.NoInputGradient, skip.Backward(gy));
        AssertSameGradients(full, skip);
    }

    private static void AssertSameGradients(Layer expected, Layer actual)
    {
        List<NamedParameter> a = expected.NamedParameters();
        List<NamedParameter> b = actual.NamedParameters();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Name, b[i].Name);
            Assert.Equal(a[i].Parameter.Grad.Data, b[i].Parameter.Grad.Data);
        }
    }
}
