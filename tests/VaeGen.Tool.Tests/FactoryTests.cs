using System;
using System.Collections.Generic;
using System.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Checking;
using VaeGen.Specs;
using VaeGen.Testing;
using VaeGen.Tool.Models;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>
/// The tool builds models at run time from a spec; the generator emits a class per spec at compile
/// time (here, as an analyzer over specs/*.vae.yaml). The two must be the same model: same layers,
/// same parameter names and shapes, and the same seed giving bit-identical weights and noise.
/// </summary>
public sealed class FactoryTests
{
    /// <summary>The shipped specs, the spec 1.1 <c>init</c> test spec (every scheme, a per-layer override, the heads), and the 1.1 specs keras_mnist (padding: same) and fashion_resnet (residual).</summary>
    public static readonly TheoryData<string> ShippedSpecs = new() { "seed000.vae.yaml", "fashion_mlp.vae.yaml", "fashion_conv.vae.yaml", "seed002_rgb64.vae.yaml", "init_schemes.vae.yaml", "keras_mnist.vae.yaml", "fashion_resnet.vae.yaml" };

    [Theory]
    [MemberData(nameof(ShippedSpecs))]
    public void FactoryBuildsTheGeneratedModelBitForBit(string specFile)
    {
        foreach (ulong seed in new ulong[] { 0, 42 })
        {
            VaeModel generated = Generated(specFile, seed);
            VaeModel built = Built(specFile, seed);

            Assert.Equal(Describe(generated.Config), Describe(built.Config));
            List<StateTensor> expected = generated.StateDict(), actual = built.StateDict();
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Name, actual[i].Name);
                Assert.Equal(expected[i].Shape.ToArray(), actual[i].Shape.ToArray());
                Assert.True(Bits(expected[i].Float32!).AsSpan().SequenceEqual(Bits(actual[i].Float32!)), specFile + " seed " + seed + ": " + expected[i].Name + " differs");
            }

            // The noise stream is forked after the weights in both, so samples match too.
            Assert.Equal(Bits(generated.Sample(3).Span.ToArray()), Bits(built.Sample(3).Span.ToArray()));
        }
    }

    private static VaeModel Generated(string specFile, ulong seed) => specFile switch
    {
        "seed000.vae.yaml" => new SeedVae(seed),
        "fashion_mlp.vae.yaml" => new FashionMlpVae(seed),
        "fashion_conv.vae.yaml" => new FashionConvVae(seed),
        "seed002_rgb64.vae.yaml" => new RgbVae64(seed),
        "init_schemes.vae.yaml" => new InitSchemesVae(seed),
        "keras_mnist.vae.yaml" => new KerasMnistVae(seed),
        "fashion_resnet.vae.yaml" => new FashionResNetVae(seed),
        _ => throw new ArgumentException("No generated class for " + specFile, nameof(specFile)),
    };

    private static VaeModel Built(string specFile, ulong seed)
    {
        string path = specFile == "init_schemes.vae.yaml" ? Repository.Path("tests", "VaeGen.Generators.Tests", "Specs", specFile) : ToolProcess.Spec(specFile);
        SpecCheckResult result = SpecChecker.Check(path, File.ReadAllText(path));
        return SpecModelFactory.Create(result.Plan ?? throw new InvalidOperationException(specFile + " has errors"), seed);
    }

    private static string Describe(VaeConfig c) =>
        string.Join(",", c.Name, string.Join("x", c.InputShape.ToArray()), c.Layout, c.Scale, c.LatentDim, c.Reconstruction, c.Reduction, c.Beta);

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
