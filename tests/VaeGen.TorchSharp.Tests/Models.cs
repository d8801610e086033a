extern alias managed;

using System;
using System.IO;
using System.Linq;
using TorchSharp;
using VaeGen.Runtime.IO;
using VaeGen.Specs;
using Xunit;
using ManagedModel = VaeGen.Runtime.Models.VaeModel;
using Tensor = TorchSharp.torch.Tensor;

namespace VaeGen.Specs
{
    public sealed partial class SeedVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class FashionMlpVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class FashionConvVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class RgbVae64 : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class ParityLayersVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class InitSchemesVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class ParityV11Vae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class GaussianLearnedVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }

    public sealed partial class GaussianFixedVae : VaeGen.TorchSharpTests.IGeneratedVae
    {
    }
}

namespace VaeGen.TorchSharpTests
{

/// <summary>The generated classes under test, by spec file: the TorchSharp module, and the managed class of the same spec.</summary>
internal static class Models
{
    public static readonly TheoryData<string> Specs = new()
    {
        "seed000.vae.yaml", "fashion_mlp.vae.yaml", "fashion_conv.vae.yaml", "seed002_rgb64.vae.yaml", "parity_layers.vae.yaml", "init_schemes.vae.yaml", "parity_v11.vae.yaml",
        "gaussian_learned.vae.yaml", "gaussian_fixed.vae.yaml",
    };

    public static IGeneratedVae CreateTorchSharp(string specFile) => specFile switch
    {
        "seed000.vae.yaml" => new SeedVae(),
        "fashion_mlp.vae.yaml" => new FashionMlpVae(),
        "fashion_conv.vae.yaml" => new FashionConvVae(),
        "seed002_rgb64.vae.yaml" => new RgbVae64(),
        "parity_layers.vae.yaml" => new ParityLayersVae(),
        "init_schemes.vae.yaml" => new InitSchemesVae(),
        "parity_v11.vae.yaml" => new ParityV11Vae(),
        "gaussian_learned.vae.yaml" => new GaussianLearnedVae(),
        "gaussian_fixed.vae.yaml" => new GaussianFixedVae(),
        _ => throw new ArgumentException("No generated class for " + specFile, nameof(specFile)),
    };

    public static ManagedModel CreateManaged(string specFile, ulong seed = 0) => specFile switch
    {
        "seed000.vae.yaml" => new managed::VaeGen.Specs.SeedVae(seed),
        "fashion_mlp.vae.yaml" => new managed::VaeGen.Specs.FashionMlpVae(seed),
        "fashion_conv.vae.yaml" => new managed::VaeGen.Specs.FashionConvVae(seed),
        "seed002_rgb64.vae.yaml" => new managed::VaeGen.Specs.RgbVae64(seed),
        "parity_layers.vae.yaml" => new managed::VaeGen.Specs.ParityLayersVae(seed),
        "init_schemes.vae.yaml" => new managed::VaeGen.Specs.InitSchemesVae(seed),
        "parity_v11.vae.yaml" => new managed::VaeGen.Specs.ParityV11Vae(seed),
        "gaussian_learned.vae.yaml" => new managed::VaeGen.Specs.GaussianLearnedVae(seed),
        "gaussian_fixed.vae.yaml" => new managed::VaeGen.Specs.GaussianFixedVae(seed),
        "condition.vae.yaml" => new managed::VaeGen.Specs.ConditionVae(seed),
        _ => throw new ArgumentException("No generated class for " + specFile, nameof(specFile)),
    };

    /// <summary>A float32 entry of a safetensors file as a TorchSharp tensor.</summary>
    public static Tensor Load(SafeTensorsFile file, string name) => torch.tensor(file.ReadFloat32(name), Longs(file.Get(name).Shape));

    /// <summary>A managed tensor as a TorchSharp tensor (a copy).</summary>
    public static Tensor ToTorch(VaeGen.Runtime.Tensors.Tensor t) => torch.tensor((float[])t.Data.Clone(), Longs(t.Shape));

    private static long[] Longs(ReadOnlySpan<int> shape)
    {
        var result = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            result[i] = shape[i];
        }

        return result;
    }

    public static float[] Values(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();
}

/// <summary>
/// A conditional class (spec 1.1 <c>condition</c>) seen with one fixed batch of labels, so that the tests written against
/// <see cref="IGeneratedVae"/> run it unchanged: every call passes the labels next to the batch. Batches must have as many
/// samples as there are labels.
/// </summary>
internal sealed class LabelledVae(ConditionVae inner, Tensor labels) : IGeneratedVae
{
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x) => inner.Encode(x, labels);

    public Tensor Decode(Tensor z) => inner.Decode(z, labels);

    public (Tensor Reconstruction, Tensor Mu, Tensor LogVar) forward(Tensor x, Tensor eps) => inner.forward(x, labels, eps);

    public (Tensor Total, Tensor Reconstruction, Tensor Kl) Loss(Tensor x) => inner.Loss(x, labels);

    public (Tensor Total, Tensor Reconstruction, Tensor Kl) Loss(Tensor x, Tensor eps) => inner.Loss(x, labels, eps);

    public (Tensor Total, Tensor Reconstruction, Tensor Kl) Loss(Tensor x, Tensor reconstruction, Tensor mu, Tensor logVar) => inner.Loss(x, reconstruction, mu, logVar);

    public Tensor Sample(long count, torch.Device? device = null) => inner.Sample(labels.narrow(0, 0, count), device);

    torch.nn.Module IGeneratedVae.Module => inner;

    public void Dispose() => inner.Dispose();
}

/// <summary>The members every generated TorchSharp class has, so tests can treat them alike (the generated classes are partial).</summary>
internal interface IGeneratedVae : IDisposable
{
    (Tensor Mu, Tensor LogVar) Encode(Tensor x);

    Tensor Decode(Tensor z);

    (Tensor Reconstruction, Tensor Mu, Tensor LogVar) forward(Tensor x, Tensor eps);

    (Tensor Total, Tensor Reconstruction, Tensor Kl) Loss(Tensor x);

    (Tensor Total, Tensor Reconstruction, Tensor Kl) Loss(Tensor x, Tensor eps);

    (Tensor Total, Tensor Reconstruction, Tensor Kl) Loss(Tensor x, Tensor reconstruction, Tensor mu, Tensor logVar);

    Tensor Sample(long count, torch.Device? device = null);

    /// <summary>The class as the module it is (every generated TorchSharp class derives from torch.nn.Module).</summary>
    torch.nn.Module Module => (torch.nn.Module)this;
}
}
