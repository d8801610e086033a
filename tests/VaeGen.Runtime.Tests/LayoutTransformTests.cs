using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The model moves each batch from its declared layout into channels first (dividing by the scale) and its output back.
/// Both directions must give every value at the index and with the bits PyTorch's <c>x.permute(0, 3, 1, 2) / scale</c>
/// gives, on any number of threads. 23 samples of 97x89 pixels split into three parts or more even with one channel,
/// and neither a plane nor a sample is a whole number of vectors.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class LayoutTransformTests
{
    [Theory]
    [InlineData(InputLayout.Nhwc, 3, 255.0)]
    [InlineData(InputLayout.Nhwc, 3, 1.0)]
    [InlineData(InputLayout.Nhwc, 4, 7.0)]
    [InlineData(InputLayout.Nhwc, 2, 1.0)]
    [InlineData(InputLayout.Nhwc, 1, 255.0)]
    [InlineData(InputLayout.Nchw, 3, 255.0)]
    [InlineData(InputLayout.Nchw, 3, 1.0)]
    public void BothDirectionsMoveEveryValueWhateverTheThreads(InputLayout layout, int channels, double scale)
    {
        const int batch = 23, height = 97, width = 89;
        int[] shape = layout == InputLayout.Nhwc ? new[] { height, width, channels } : new[] { channels, height, width };
        var config = new VaeConfig("Layout", shape, layout, scale, latentDim: 2, ReconstructionTerm.Mse, Reduction.Sum, beta: 1);
        var declared = new Tensor(batch, shape[0], shape[1], shape[2]);
        new Rng(5).FillUniform(declared.Span, 0, 255);

        // The reference: element (pixel p, channel c) of a sample is at p * C + c channels-last and c * HW + p channels-first.
        int plane = height * width, sampleLength = channels * plane;
        var expected = new float[declared.Length];
        for (int s = 0; s < batch; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < plane; p++)
                {
                    int read = layout == InputLayout.Nhwc ? (p * channels) + c : (c * plane) + p;
                    expected[(s * sampleLength) + (c * plane) + p] = declared.Data[(s * sampleLength) + read] / (float)scale;
                }
            }
        }

        using ThreadSettings saved = ThreadSettings.Save();
        foreach (int threads in new[] { 1, 2, 3, 4 })
        {
            Sgemm.MaxThreads = threads;
            var channelsFirst = new Tensor(batch, channels, height, width);
            LayoutTransform.ToChannelsFirst(declared, channelsFirst, config);
            AssertBits(expected, channelsFirst.Data, $"to channels first on {threads} threads");

            // Back again: with the division undone by a scale of 1, the declared batch itself.
            var unscaled = new VaeConfig("Layout", shape, layout, 1, latentDim: 2, ReconstructionTerm.Mse, Reduction.Sum, beta: 1);
            LayoutTransform.ToChannelsFirst(declared, channelsFirst, unscaled);
            var back = new Tensor(declared.Shape.ToArray());
            back.Span.Fill(float.NaN);
            LayoutTransform.FromChannelsFirst(channelsFirst, back, config);
            AssertBits(declared.Data, back.Data, $"back to the declared layout on {threads} threads");
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: value {i} is {actual[i]}, expected {expected[i]}");
            }
        }
    }
}
