using System;
using System.Collections.Generic;
using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Layer.BackwardConsuming: the elementwise layers write their input gradient over the gradient they are handed, with
/// the bits <see cref="Layer.Backward"/> gives into a buffer of their own, and a Sequential hands them only gradients
/// nobody reads again.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class ConsumedGradientTests
{
    public static TheoryData<string> ElementwiseLayers() => new(Layers.Keys);

    // Shapes large enough that the passes split over threads (ForkJoin.ElementsPerPart) where a layer does.
    private static readonly Dictionary<string, (Func<Layer> Create, int[] Shape, bool InPlace)> Layers = new()
    {
        ["relu"] = (() => new ReLU(), [8, 16, 32, 32], true),
        ["leaky_relu"] = (() => new LeakyReLU(0.2f), [8, 16, 32, 32], true),
        ["elu"] = (() => new ELU(), [4, 1000], true),
        ["tanh"] = (() => new Tanh(), [8, 16, 32, 32], true),
        ["sigmoid"] = (() => new Sigmoid(), [4, 1000], true),
        ["batchnorm2d"] = (() => new BatchNorm2d(16), [8, 16, 32, 32], true),
        ["batchnorm1d"] = (() => new BatchNorm1d(1000), [4, 1000], true),
        ["dropout"] = (() => new Dropout(0.3, new Rng(5)), [8, 16, 32, 32], true),
        ["gelu"] = (() => new GELU(), [4, 1000], false),
        ["silu"] = (() => new SiLU(), [4, 1000], false),
    };

    [Theory]
    [MemberData(nameof(ElementwiseLayers))]
    public void ALayerThatConsumesTheGradientGivesTheBitsOfItsOwnBuffer(string name)
    {
        (Func<Layer> create, int[] shape, bool inPlace) = Layers[name];
        foreach (int threads in new[] { 1, 2 })
        {
            using ThreadSettings saved = ThreadSettings.Save();
            Kernels.Sgemm.MaxThreads = threads;
            Layer layer = create();
            Tensor x = TestUtil.Random(new Rng(1), -2, 2, shape);
            Tensor gradOutput = TestUtil.Random(new Rng(2), -1, 1, layer.Forward(x).Shape.ToArray());

            float[] expected = layer.Backward(gradOutput).Data.ToArray();
            float[][] expectedParameterGradients = TakeParameterGradients(layer);

            var consumed = new Tensor(gradOutput.Shape.ToArray());
            gradOutput.Data.CopyTo(consumed.Data, 0);
            Tensor result = layer.BackwardConsuming(consumed);

            Assert.Equal(expected, result.Data.AsSpan(0, expected.Length).ToArray());
            Assert.Equal(expectedParameterGradients, TakeParameterGradients(layer));
            if (inPlace)
            {
                Assert.Same(consumed, result);
            }
            else
            {
                Assert.NotSame(consumed.Data, result.Data);
                Assert.Equal(gradOutput.Data, consumed.Data);
            }
        }
    }

    [Fact]
    public void ASequentialLeavesTheGradientItIsGivenAsItIsEvenThroughAView()
    {
        // The last child is a view: what it returns shares the caller's gradient, which the leaky ReLU before it must not
        // write over. The gradients inside the stack are the stack's own, and are consumed.
        var stack = new Sequential(new Conv2d(3, 8, 3, padding: 1, rng: new Rng(1)), new BatchNorm2d(8), new LeakyReLU(0.2f), new Flatten());
        Tensor x = TestUtil.Random(new Rng(2), -1, 1, 4, 3, 16, 16);
        Tensor gradOutput = TestUtil.Random(new Rng(3), -1, 1, stack.Forward(x).Shape.ToArray());
        float[] given = gradOutput.Data.ToArray();

        stack.Backward(gradOutput);

        Assert.Equal(given, gradOutput.Data);
    }

    [Fact]
    public void ASequentialThatConsumesGivesEveryGradientOfOneThatDoesNot()
    {
        // Conv-batchnorm-activation blocks as in VanillaVAE, a residual block and a dropout, against the same layers
        // driven one by one through Backward, each into its own buffer.
        Sequential Stack() => new(
            new Conv2d(3, 8, 3, stride: 2, padding: 1, rng: new Rng(1)),
            new BatchNorm2d(8),
            new LeakyReLU(0.2f),
            new Residual(new Sequential(new Conv2d(8, 8, 3, padding: 1, rng: new Rng(2)), new BatchNorm2d(8), new Tanh())),
            new Dropout(0.25, new Rng(3)),
            new Flatten(),
            new Linear(8 * 8 * 8, 32, rng: new Rng(4)),
            new GELU(),
            new Sigmoid());
        Tensor x = TestUtil.Random(new Rng(5), -1, 1, 4, 3, 16, 16);

        // The reference's layers each run their own forward, so that each one's backward can be driven alone: the
        // consuming stack runs the batch norm and leaky ReLU as one pass, and must give the same bits.
        Sequential reference = Stack();
        reference.FusesTraining = false;
        Tensor gradOutput = TestUtil.Random(new Rng(6), -1, 1, reference.Forward(x).Shape.ToArray());
        Tensor g = gradOutput;
        for (int i = reference.Children.Count - 1; i >= 0; i--)
        {
            g = reference.Children[i].Layer.Backward(g);
        }

        float[] expectedInput = g.Data.ToArray();
        float[][] expectedParameters = TakeParameterGradients(reference);

        Sequential consuming = Stack();
        consuming.Forward(x);
        Assert.Equal(1, consuming.NormsWithActivation);
        Tensor inputGradient = consuming.Backward(gradOutput);

        Assert.Equal(expectedInput, inputGradient.Data);
        Assert.Equal(expectedParameters, TakeParameterGradients(consuming));
    }

    [Fact]
    public void ASequentialKeepsNoGradientBufferForTheLayersThatConsume()
    {
        // Three elementwise layers on 1 MB of activations: only the last, which is handed the caller's gradient, fills a
        // buffer of its own; the other two write over it. Without consuming, the first backward allocates all three.
        var stack = new Sequential(new LeakyReLU(0.2f), new Tanh(), new ReLU());
        Tensor x = TestUtil.Random(new Rng(1), -1, 1, 64, 4096);
        Tensor gradOutput = TestUtil.Random(new Rng(2), -1, 1, stack.Forward(x).Shape.ToArray());
        long gradientBytes = (long)x.Length * sizeof(float);

        long before = GC.GetAllocatedBytesForCurrentThread();
        stack.Backward(gradOutput);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, gradientBytes, (gradientBytes * 3) / 2);
    }

    private static float[][] TakeParameterGradients(Layer layer)
    {
        var gradients = new List<float[]>();
        foreach (Parameter parameter in layer.NamedParameters().Select(p => p.Parameter))
        {
            gradients.Add(parameter.Grad.Data.ToArray());
            parameter.Grad.Clear();
        }

        return gradients.ToArray();
    }
}
