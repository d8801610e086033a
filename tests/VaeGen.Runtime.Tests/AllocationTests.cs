using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Optim;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

[Collection(ThreadSettingsCollection.Name)]
public sealed class AllocationTests
{
    [Fact]
    public void ConvLayerLargeEnoughForTwoThreadsAllocatesNothing()
    {
        // Each per-sample GEMM here is 32 x 1024 x 288 (9.4M multiply-adds), above the parallel threshold.
        var conv = new Conv2d(32, 32, 3, padding: 1, rng: new Rng(1));
        Tensor x = TestUtil.Random(new Rng(2), -1, 1, 2, 32, 32, 32);
        for (int i = 0; i < 2; i++)
        {
            conv.Backward(conv.Forward(x));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            conv.Backward(conv.Forward(x));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BatchParallelConvolutionsAllocateNothing()
    {
        // Both layers run their sample groups on two threads here (above Sgemm.ParallelThreshold),
        // the first without its input gradient, as an encoder's first layer.
        var conv = new Conv2d(16, 32, 4, stride: 2, padding: 1, rng: new Rng(3)) { ComputeInputGradient = false };
        var convT = new ConvTranspose2d(32, 16, 4, stride: 2, padding: 1, rng: new Rng(4));
        Tensor x = TestUtil.Random(new Rng(5), -1, 1, 8, 16, 32, 32);
        for (int i = 0; i < 2; i++)
        {
            conv.Backward(convT.Backward(convT.Forward(conv.Forward(x))));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            conv.Backward(convT.Backward(convT.Forward(conv.Forward(x))));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void FusedEvaluationPassesAllocateNothing()
    {
        // Every convolution path with a batch norm and an activation fused into it (InferenceEpilogue), on two threads.
        var rng = new Rng(6);
        var model = new Sequential(
            new Conv2d(3, 32, 4, stride: 2, padding: 1, rng: rng), new BatchNorm2d(32), new LeakyReLU(0.2f),
            new Conv2d(32, 64, 3, padding: 1, rng: rng), new BatchNorm2d(64), new ReLU(),
            new ConvTranspose2d(64, 8, 4, stride: 2, padding: 1, rng: rng), new ReLU(),
            new Conv2d(8, 3, 3, padding: 1, rng: rng), new BatchNorm2d(3));
        model.Eval();
        Tensor x = TestUtil.Random(new Rng(7), -1, 1, 4, 3, 32, 32);
        for (int i = 0; i < 2; i++)
        {
            model.Forward(x);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            model.Forward(x);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void SteadyStateTrainingStepAllocatesNothing()
    {
        var rng = new Rng(1);
        var encoder = new Sequential(
            new Conv2d(1, 4, 3, padding: 1, rng: rng),
            new BatchNorm2d(4),
            new LeakyReLU(0.1f),
            new MaxPool2d(2),
            new ZeroPad2d(0, 1, 0, 1),
            new Residual(new Sequential(new Conv2d(4, 4, 3, padding: 1, rng: rng), new BatchNorm2d(4), new ReLU(), new Residual(new Sequential(new Dropout(0.2, rng.Fork()))))),
            new Conv2d(4, 4, 2, rng: rng),
            new Conv2d(4, 8, 3, stride: 2, padding: 1, rng: rng),
            new GELU(),
            new AvgPool2d(2, ceilMode: true),
            new Flatten(),
            new Dropout(0.1, rng.Fork()),
            new Linear(8 * 2 * 2, 2 * 3, rng: rng));
        var decoder = new Sequential(
            new Linear(3, 8 * 2 * 2, rng: rng),
            new BatchNorm1d(32),
            new SiLU(),
            new Unflatten(1, 8, 2, 2),
            new Upsample(2, 2, UpsampleMode.Bilinear),
            new ConvTranspose2d(8, 4, 4, stride: 2, padding: 1, rng: rng),
            new ELU(),
            new Upsample(2, 2, UpsampleMode.Nearest),
            new Conv2d(4, 1, 3, padding: 1, rng: rng),
            new Tanh(),
            new Sigmoid());
        var sampler = new Reparameterize(rng.Fork());
        var loss = new VaeLoss(ReconstructionTerm.Bce, Reduction.Sum, beta: 0.5);
        var vae = new Sequential().Add("encoder", encoder).Add("decoder", decoder);
        var adam = new Adam(vae.NamedParameters(), lr: 1e-3, weightDecay: 1e-4);
        encoder.ComputeInputGradient = false;
        Tensor x = TestUtil.Random(new Rng(2), 0, 1, 4, 1, 16, 16);
        var mu = new Tensor(4, 3);
        var logVar = new Tensor(4, 3);
        var gradStats = new Tensor(4, 6);

        void Step()
        {
            adam.ZeroGrad();
            Tensor stats = encoder.Forward(x);
            for (int i = 0; i < 4; i++)
            {
                Array.Copy(stats.Data, i * 6, mu.Data, i * 3, 3);
                Array.Copy(stats.Data, (i * 6) + 3, logVar.Data, i * 3, 3);
            }

            Tensor z = sampler.Forward(mu, logVar);
            Tensor xhat = decoder.Forward(z);
            loss.Forward(xhat, x, mu, logVar);
            loss.Backward();
            Tensor gz = decoder.Backward(loss.GradReconstruction);
            sampler.Backward(gz, loss.GradMu, loss.GradLogVar);
            for (int i = 0; i < 4; i++)
            {
                Array.Copy(loss.GradMu.Data, i * 3, gradStats.Data, i * 6, 3);
                Array.Copy(loss.GradLogVar.Data, i * 3, gradStats.Data, (i * 6) + 3, 3);
            }

            encoder.Backward(gradStats);
            adam.Step();
        }

        for (int i = 0; i < 3; i++)
        {
            Step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            Step();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(double.IsFinite(loss.Reconstruction) && double.IsFinite(loss.Kl));
    }
}
