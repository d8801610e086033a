using System;
using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// A training forward runs a 2-D batch norm and the ReLU or leaky ReLU after it in one pass
/// (<see cref="BatchNorm.ForwardWithActivation"/>), and the activation's backward reads its output: the same bits as the
/// two layers run one after the other, in the output, every gradient and the running statistics, on one thread or several.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class TrainingFusionTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string activation in new[] { "leaky_relu", "relu", "leaky_relu_0" })
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                data.Add(activation, threads);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnePassGivesTheBitsOfTwo(string activation, int threads)
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = threads;
        Tensor x = Inputs(new Rng(5), [6, 3, 12, 10]);
        Sequential fused = Stack(activation);
        Sequential separate = Stack(activation);
        separate.FusesTraining = false;

        // Two steps, so that the running statistics of the first feed the second's, and a gradient that holds zeros
        // where the activation's derivative is decided.
        for (int step = 0; step < 2; step++)
        {
            Tensor yFused = fused.Forward(x);
            Tensor ySeparate = separate.Forward(x);
            Assert.Equal(2, fused.NormsWithActivation);
            Assert.Equal(0, separate.NormsWithActivation);
            Assert.Equal(ySeparate.Data, yFused.Data);

            Tensor gy = Inputs(new Rng(6 + (ulong)step), ySeparate.Shape.ToArray());
            fused.ZeroGrad();
            separate.ZeroGrad();
            Assert.Equal(separate.Backward(gy).Data, fused.Backward(gy).Data);
            foreach (var (a, b) in separate.NamedParameters().Zip(fused.NamedParameters()))
            {
                Assert.Equal(a.Parameter.Grad.Data, b.Parameter.Grad.Data);
            }

            foreach (var (a, b) in separate.StateDict().Zip(fused.StateDict()))
            {
                Assert.Equal(a.Name, b.Name);
                Assert.Equal(a.Float32, b.Float32);
                Assert.Equal(a.Int64, b.Int64);
            }
        }
    }

    [Fact]
    public void OnlyA2dBatchNormOverPlanesAndAnActivationReadFromItsOutputRunAsOne()
    {
        Tensor x = Inputs(new Rng(1), [4, 3, 5, 5]);
        Assert.Equal(1, Fused(new Sequential(new BatchNorm2d(3), new ReLU()), x));

        // A negative slope: y > 0 is no longer where x > 0, so the derivative needs the input.
        Assert.Equal(0, Fused(new Sequential(new BatchNorm2d(3), new LeakyReLU(-0.5f)), x));
        Assert.Equal(0, Fused(new Sequential(new BatchNorm2d(3), new Tanh()), x));
        Assert.Equal(0, Fused(new Sequential(new BatchNorm2d(3), new Flatten(), new ReLU()), x));
        Assert.Equal(0, Fused(new Sequential(new BatchNorm1d(3), new ReLU()), Inputs(new Rng(2), [4, 3])));

        // Planes of one value take the per-row path of the batch norm.
        Assert.Equal(0, Fused(new Sequential(new BatchNorm2d(3), new ReLU()), Inputs(new Rng(3), [4, 3, 1, 1])));

        // Evaluation runs the running statistics, fused into a convolution's pass if anywhere.
        var evaluating = new Sequential(new BatchNorm2d(3), new ReLU());
        evaluating.SetTraining(false);
        Assert.Equal(0, Fused(evaluating, x));
    }

    [Fact]
    public void TheBatchNormKeepsNoOutputOfItsOwn()
    {
        // The fused pass writes the activation's output only: a batch norm over VanillaVAE's last 64x64 maps saves 16 MB.
        var norm = new BatchNorm2d(3);
        var relu = new ReLU();
        var stack = new Sequential(norm, relu);
        Tensor x = Inputs(new Rng(4), [4, 3, 6, 6]);
        Tensor y = stack.Forward(x);
        stack.Backward(Inputs(new Rng(5), y.Shape.ToArray()));

        var field = typeof(BatchNorm).GetField("_output", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.Null(field.GetValue(norm));
    }

    private static int Fused(Sequential stack, Tensor x)
    {
        stack.Forward(x);
        return stack.NormsWithActivation;
    }

    /// <summary>Conv, batch norm, activation twice: the second batch norm's input comes from a convolution, as in VanillaVAE.</summary>
    private static Sequential Stack(string activation)
    {
        Layer Activation() => activation switch
        {
            "relu" => new ReLU(),
            "leaky_relu_0" => new LeakyReLU(0f),
            _ => new LeakyReLU(0.2f),
        };

        return new Sequential(
            new Conv2d(3, 8, 3, padding: 1, rng: new Rng(11)),
            new BatchNorm2d(8),
            Activation(),
            new Conv2d(8, 4, 3, stride: 2, padding: 1, rng: new Rng(12)),
            new BatchNorm2d(4),
            Activation());
    }

    /// <summary>Values in [-1, 1) with exact zeros, negative zeros and ties sprinkled in, where the activations decide.</summary>
    private static Tensor Inputs(Rng rng, int[] shape)
    {
        Tensor t = TestUtil.Random(rng, -1, 1, shape);
        for (int i = 0; i < t.Length; i += 7)
        {
            t.Data[i] = i % 2 == 0 ? 0f : -0f;
        }

        return t;
    }
}
