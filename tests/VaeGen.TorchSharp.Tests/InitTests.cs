extern alias managed;

using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using VaeGen.Runtime.Init;
using VaeGen.Specs;
using Xunit;

namespace VaeGen.TorchSharpTests;

/// <summary>
/// Spec 1.1's <c>init</c> in both generated classes of tests/VaeGen.Generators.Tests/Specs/init_schemes.vae.yaml:
/// the TorchSharp module draws with libtorch's generator (torch.nn.init), the managed class with the runtime's
/// seeded stream, so the numbers differ but each layer's weights must follow its scheme's bound and variance,
/// the heads must take the top-level scheme, every scheme but pytorch must zero the bias, and the layer that says
/// <c>init: pytorch</c> keeps PyTorch's default (a bias drawn in ±1/sqrt(fan_in)).
/// </summary>
public sealed class InitTests
{
    private static readonly (string Module, InitScheme Scheme)[] Layers =
    {
        ("encoder.0", InitScheme.KaimingNormal), ("encoder.3", InitScheme.KaimingUniform), ("fc_mu", InitScheme.XavierUniform),
        ("fc_logvar", InitScheme.XavierUniform), ("decoder.0", InitScheme.XavierNormal), ("decoder.3", InitScheme.PyTorch),
    };

    [Fact]
    public void Both_backends_draw_each_layer_by_its_scheme()
    {
        torch.manual_seed(1);
        using var torchModel = new InitSchemesVae();
        var torchSharp = torchModel.named_parameters().ToDictionary(p => p.name, p => (p.parameter.data<float>().ToArray(), p.parameter.shape.Select(d => (int)d).ToArray()));
        var managedModel = new managed::VaeGen.Specs.InitSchemesVae(seed: 1);
        var managedWeights = managedModel.NamedParameters().ToDictionary(p => p.Name, p => (p.Parameter.Value.Span.ToArray(), p.Parameter.Value.Shape.ToArray()));

        foreach (var (backend, parameters) in new[] { ("TorchSharp", torchSharp), ("managed", managedWeights) })
        {
            foreach (var (module, scheme) in Layers)
            {
                var (weight, shape) = parameters[module + ".weight"];
                float[] bias = parameters[module + ".bias"].Item1;
                string label = backend + " " + module + " " + scheme;
                int fanIn = TorchInit.FanIn(shape);
                if (scheme == InitScheme.PyTorch)
                {
                    double biasBound = TorchInit.BiasBound(fanIn);
                    Assert.True(bias.All(b => Math.Abs(b) <= biasBound) && bias.Any(b => b != 0), label + ": bias is not PyTorch's default");
                    Assert.True(weight.All(w => Math.Abs(w) <= TorchInit.KaimingUniformBound(fanIn)), label);
                    continue;
                }

                Assert.True(bias.All(b => b == 0), label + ": bias not 0");
                double std = TorchInit.Std(scheme, fanIn, TorchInit.FanOut(shape));
                double actual = Math.Sqrt(weight.Average(w => (double)w * w));

                // encoder.0 has 256 weights (std within ~4.5%), the others thousands.
                Assert.True(Math.Abs((actual / std) - 1) < (weight.Length < 1000 ? 0.2 : 0.05), $"{label}: std {actual} vs {std}");
                double beyond = weight.Count(w => Math.Abs(w) > Math.Sqrt(3.0) * std * 1.0001) / (double)weight.Length;
                if (scheme is InitScheme.XavierUniform or InitScheme.KaimingUniform)
                {
                    Assert.True(beyond == 0, $"{label}: {beyond:P2} of the weights beyond the uniform bound");
                }
                else if (weight.Length > 1000)
                {
                    // A normal puts 8.3% of its mass beyond sqrt(3) std; a uniform (TorchSharp's xavier_normal_ draws one) none.
                    Assert.InRange(beyond, 0.07, 0.097);
                }
            }
        }
    }
}
