using System;
using System.Collections.Generic;
using System.IO;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Optim;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Runtime.Tests;

// Compares two training runs bit for bit, with a convolution on DirectConv: DirectConvTests must not switch its kernels meanwhile.
[Collection(ThreadSettingsCollection.Name)]
public sealed class AdamTests
{
    [Fact]
    public void ThreeStepsMatchTorchAdamWithWeightDecay()
    {
        SafeTensorsFile f = SafeTensorsFile.Read(TestUtil.FixturePath("adam.safetensors"));
        var p = new Parameter("w", 37);
        f.CopyFloat32("param0", p.Value.Span);
        var adam = new Adam([new NamedParameter("w", p)], lr: 0.01, weightDecay: 0.1);
        List<StateTensor> state = adam.StateDict();
        for (int step = 1; step <= 3; step++)
        {
            f.CopyFloat32($"grad{step}", p.Grad.Span);
            adam.Step();
            TestUtil.AssertClose(f.ReadFloat32($"param{step}"), p.Value.Span, 1e-5, $"param after step {step}");
            TestUtil.AssertClose(f.ReadFloat32($"exp_avg{step}"), state[1].Float32, 1e-5, $"exp_avg after step {step}");
            TestUtil.AssertClose(f.ReadFloat32($"exp_avg_sq{step}"), state[2].Float32, 1e-5, $"exp_avg_sq after step {step}");
            Assert.Equal(step, state[0].Int64![0]);
        }
    }

    [Fact]
    public void SavedModelAndOptimizerResumeBitForBit()
    {
        using (var temp = new TempFolder("vaegen-adam-"))
        {
            string dir = temp.Path;
            (Sequential netA, Adam adamA) = Build(1);
            var data = TestUtil.Random(new Rng(2), -1, 1, 4, 2, 6, 6);
            for (int i = 0; i < 3; i++)
            {
                TrainStep(netA, adamA, data);
            }

            Checkpoint.Save(Path.Combine(dir, "model.safetensors"), netA.StateDict());
            Checkpoint.Save(Path.Combine(dir, "adam.safetensors"), adamA.StateDict());

            (Sequential netB, Adam adamB) = Build(99);
            Checkpoint.Load(Path.Combine(dir, "model.safetensors"), netB.StateDict());
            Checkpoint.Load(Path.Combine(dir, "adam.safetensors"), adamB.StateDict());
            for (int i = 0; i < 3; i++)
            {
                TrainStep(netA, adamA, data);
                TrainStep(netB, adamB, data);
            }

            List<StateTensor> a = netA.StateDict();
            List<StateTensor> b = netB.StateDict();
            for (int i = 0; i < a.Count; i++)
            {
                Assert.Equal(a[i].Name, b[i].Name);
                if (a[i].Float32 is not null)
                {
                    Assert.Equal(a[i].Float32, b[i].Float32);
                }
                else
                {
                    Assert.Equal(a[i].Int64, b[i].Int64);
                }
            }
        }
    }

    private static (Sequential Net, Adam Adam) Build(ulong seed)
    {
        var rng = new Rng(seed);
        var net = new Sequential(new Conv2d(2, 3, 3, padding: 1, rng: rng), new BatchNorm2d(3), new ELU(), new Flatten(), new Linear(108, 5, rng: rng));
        return (net, new Adam(net.NamedParameters(), lr: 1e-2, weightDecay: 1e-3));
    }

    private static void TrainStep(Sequential net, Adam adam, Tensor data)
    {
        adam.ZeroGrad();
        Tensor y = net.Forward(data);
        net.Backward(y); // gradient of 0.5 * |y|^2
        adam.Step();
    }
}

/// <summary>A large parameter's update is split over threads; every split must give the same bits.</summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class AdamThreadTests
{
    [Fact]
    public void LargeParameterUpdatesDoNotDependOnThreads()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 4 })
        {
            Kernels.Sgemm.MaxThreads = threads;

            // Three parts of 64K elements and an odd tail: ranges of different lengths, the last one not whole vectors.
            var p = new Parameter("w", (3 << 16) + 13);
            new Rng(7).FillUniform(p.Value.Span, -1, 1);
            var adam = new Adam([new NamedParameter("w", p)], lr: 0.01, weightDecay: 0.1);
            var gradients = new Rng(8);
            for (int step = 0; step < 3; step++)
            {
                gradients.FillUniform(p.Grad.Span, -1, 1);
                adam.Step();
            }

            float[] result = p.Value.Span.ToArray();
            first ??= result;
            Assert.True(first.AsSpan().SequenceEqual(result), $"{threads} threads differ from one");
        }
    }
}
