using System;
using System.Linq;
using System.Text.Json;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>
/// Spec 1.1's <c>init</c> schemes: the runtime draws from its own seeded stream, so its numbers cannot be
/// PyTorch's; what must agree is what torch.nn.init promises: the fans it computes for each stored weight
/// shape (conv_transpose2d's [in, out, kh, kw] included), the bound of the uniform schemes, the variance,
/// a normal's tails, and biases of 0 (tools/torch/init_statistics.py draws with torch.nn.init itself).
/// </summary>
public sealed class InitStatisticsTests
{
    private static readonly string[] Shapes = { "256x512", "64x32x3x3", "32x64x4x4" };

    private static readonly (string Name, InitScheme Scheme, bool Uniform)[] Schemes =
    {
        ("xavier_uniform", InitScheme.XavierUniform, true), ("xavier_normal", InitScheme.XavierNormal, false),
        ("kaiming_uniform", InitScheme.KaimingUniform, true), ("kaiming_normal", InitScheme.KaimingNormal, false),
    };

    [PyTorchFact]
    public void Each_scheme_draws_with_torch_nn_inits_fans_bound_and_variance()
    {
        using var torchStatistics = JsonDocument.Parse(PyTorch.Run("init_statistics.py", Shapes));
        foreach (var (name, scheme, uniform) in Schemes)
        {
            foreach (string shapeText in Shapes)
            {
                string label = name + " " + shapeText;
                JsonElement theirs = torchStatistics.RootElement.GetProperty(name).GetProperty(shapeText);
                int[] shape = shapeText.Split('x').Select(int.Parse).ToArray();
                var weight = new Parameter("weight", shape);
                var bias = new Parameter("bias", 5);
                bias.Value.Span.Fill(1f);
                TorchInit.Initialize(weight, bias, scheme, new Rng(11));

                Assert.Equal(theirs.GetProperty("fan_in").GetInt32(), TorchInit.FanIn(shape));
                Assert.Equal(theirs.GetProperty("fan_out").GetInt32(), TorchInit.FanOut(shape));
                Assert.True(bias.Value.Span.ToArray().All(b => b == 0), label + ": bias not 0");

                float[] w = weight.Value.Span.ToArray();
                double mean = w.Average(v => (double)v);
                double std = Math.Sqrt(w.Sum(v => (v - mean) * (v - mean)) / (w.Length - 1));
                double absMax = w.Max(v => Math.Abs((double)v));
                double theirStd = theirs.GetProperty("std").GetDouble();

                // One draw of >= 32,768 values: the sample std is within ~0.5% of the true one, so 2% is four sigma.
                Assert.True(Math.Abs((std / theirStd) - 1) < 0.02, $"{label}: std {std} vs torch {theirStd}");
                Assert.True(Math.Abs(mean) < 4 * theirStd / Math.Sqrt(w.Length), $"{label}: mean {mean}");
                double bound = Math.Sqrt(3.0) * TorchInit.Std(scheme, TorchInit.FanIn(shape), TorchInit.FanOut(shape));
                double beyondTwoStd = w.Count(v => Math.Abs(v) > 2 * std) / (double)w.Length;
                if (uniform)
                {
                    // Both reach the same bound sqrt(3) * std: torch's max |w| and ours lie just below it.
                    double theirMax = theirs.GetProperty("absmax").GetDouble();
                    Assert.True(absMax <= bound && Math.Abs((absMax / theirMax) - 1) < 0.01, $"{label}: max |w| {absMax} vs torch {theirMax}, bound {bound}");
                    Assert.Equal(0, beyondTwoStd);
                }
                else
                {
                    // A normal has 4.55% of its mass beyond 2 std (a uniform has none), and values past the uniform bound.
                    Assert.InRange(beyondTwoStd, 0.040, 0.051);
                    Assert.True(absMax > bound, $"{label}: max |w| {absMax} never leaves the uniform bound {bound}");
                }
            }
        }
    }

    [Fact]
    public void The_same_seed_draws_the_same_weights_and_pytorch_is_v1s_reset_parameters()
    {
        foreach (var (name, scheme, _) in Schemes)
        {
            var a = new Parameter("weight", 16, 8, 3, 3);
            var b = new Parameter("weight", 16, 8, 3, 3);
            TorchInit.Initialize(a, null, scheme, new Rng(3));
            TorchInit.Initialize(b, null, scheme, new Rng(3));
            Assert.True(a.Value.Span.SequenceEqual(b.Value.Span), name);
        }

        var v1 = new Parameter("weight", 16, 8, 3, 3);
        var v1Bias = new Parameter("bias", 16);
        var viaScheme = new Parameter("weight", 16, 8, 3, 3);
        var viaSchemeBias = new Parameter("bias", 16);
        TorchInit.ResetParameters(v1, v1Bias, new Rng(3));
        TorchInit.Initialize(viaScheme, viaSchemeBias, InitScheme.PyTorch, new Rng(3));
        Assert.True(v1.Value.Span.SequenceEqual(viaScheme.Value.Span) && v1Bias.Value.Span.SequenceEqual(viaSchemeBias.Value.Span));
    }
}
