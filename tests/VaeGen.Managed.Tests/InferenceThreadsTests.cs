using System;
using System.Runtime.InteropServices;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>Tests that change the thread count, which is process-wide: run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "Thread count";
}

/// <summary>
/// The generated classes' inference on two threads, where InferenceMode splits a small model's batch by samples over
/// replicas the class makes of itself (<c>CreateReplica</c>): one thread's bits, the noise stream included.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class InferenceThreadsTests
{
    [Theory]
    [InlineData("seed000.vae.yaml")]
    [InlineData("fashion_mlp.vae.yaml")]
    [InlineData("fashion_conv.vae.yaml")]
    [InlineData("condition.vae.yaml")]
    [InlineData("parity_layers.vae.yaml")]
    public void Two_threads_in_InferenceMode_give_one_threads_bits(string specFile)
    {
        int before = Sgemm.MaxThreads;
        try
        {
            float[] one = Passes(specFile, threads: 1, out long[] oneNoise);
            float[] two = Passes(specFile, threads: 2, out long[] twoNoise);
            Assert.True(MemoryMarshal.Cast<float, int>(one).SequenceEqual(MemoryMarshal.Cast<float, int>(two)), specFile);
            Assert.Equal(oneNoise, twoNoise);
        }
        finally
        {
            Sgemm.MaxThreads = before;
        }
    }

    /// <summary>Two forward passes with drawn noise, an encode and a decode of 40 samples, all outputs in one array.</summary>
    private static float[] Passes(string specFile, int threads, out long[] noise)
    {
        Sgemm.MaxThreads = threads;
        VaeModel model = Models.Create(specFile, seed: 5);
        Tensor x = new(model.Config.BatchShape(40));
        new Rng(6).FillUniform(x.Span, 0, model.Config.Scale);
        int[] labels = new int[model.Classes > 0 ? 40 : 0];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % model.Classes;
        }

        var all = new System.Collections.Generic.List<float>();
        using (model.InferenceMode())
        {
            for (int pass = 0; pass < 2; pass++)
            {
                var (reconstruction, mu, logVar) = labels.Length > 0 ? model.Forward(x, labels) : model.Forward(x);
                all.AddRange(reconstruction.Data);
                all.AddRange(mu.Data);
                all.AddRange(logVar.Data);
            }

            Tensor z = (labels.Length > 0 ? model.Encode(x, labels) : model.Encode(x)).Mu;
            all.AddRange(z.Data);
            all.AddRange((labels.Length > 0 ? model.Decode(z, labels) : model.Decode(z)).Data);
        }

        noise = model.NoiseState().Int64!;
        return all.ToArray();
    }
}
