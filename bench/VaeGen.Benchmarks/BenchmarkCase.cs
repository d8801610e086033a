extern alias torchsharp;

using System;
using TorchSharp;
using VaeGen.Runtime.Models;
using VaeGen.Specs;

namespace VaeGen.Benchmarks;

/// <summary>A reference spec, its generated class and the batch size the benchmark uses for it.</summary>
/// <param name="Name">The spec's file name without .vae.yaml.</param>
/// <param name="Batch">Samples per step.</param>
/// <param name="Create">Builds the generated model.</param>
/// <param name="RangeMin">Lowest value of the data as it arrives (the spec's input range).</param>
/// <param name="RangeMax">Highest value of the data as it arrives.</param>
/// <param name="CreateTorchSharp">Builds the generated TorchSharp module of the same spec.</param>
internal sealed record BenchmarkCase(string Name, int Batch, Func<VaeModel> Create, double RangeMin, double RangeMax, Func<TorchSharpModel> CreateTorchSharp)
{
    /// <summary>The five specs the README's table reports, with their batch sizes.</summary>
    public static readonly BenchmarkCase[] All =
    {
        new("seed000", 64, () => new SeedVae(seed: 0), SeedVae.InputRangeMin, SeedVae.InputRangeMax,
            () => new torchsharp::VaeGen.Specs.SeedVae() is var m ? new(m, x => m.Loss(x).Total, x => m.forward(x).Reconstruction) : null!),
        new("fashion_mlp", 128, () => new FashionMlpVae(seed: 0), FashionMlpVae.InputRangeMin, FashionMlpVae.InputRangeMax,
            () => new torchsharp::VaeGen.Specs.FashionMlpVae() is var m ? new(m, x => m.Loss(x).Total, x => m.forward(x).Reconstruction) : null!),
        new("fashion_conv", 128, () => new FashionConvVae(seed: 0), FashionConvVae.InputRangeMin, FashionConvVae.InputRangeMax,
            () => new torchsharp::VaeGen.Specs.FashionConvVae() is var m ? new(m, x => m.Loss(x).Total, x => m.forward(x).Reconstruction) : null!),
        new("seed002_rgb64", 32, () => new RgbVae64(seed: 0), RgbVae64.InputRangeMin, RgbVae64.InputRangeMax,
            () => new torchsharp::VaeGen.Specs.RgbVae64() is var m ? new(m, x => m.Loss(x).Total, x => m.forward(x).Reconstruction) : null!),
        new("vanilla_vae64", 32, () => new VanillaVae64(seed: 0), VanillaVae64.InputRangeMin, VanillaVae64.InputRangeMax,
            () => new torchsharp::VaeGen.Specs.VanillaVae64() is var m ? new(m, x => m.Loss(x).Total, x => m.forward(x).Reconstruction) : null!),
    };

    public string SpecPath(string repositoryRoot) => System.IO.Path.Combine(repositoryRoot, "specs", Name + ".vae.yaml");
}

/// <summary>A generated TorchSharp module and its two timed calls (the generated classes share no interface).</summary>
/// <param name="Module">The module (parameters, train/eval, dispose).</param>
/// <param name="Loss">The total loss of a batch (Loss(x).Total).</param>
/// <param name="Forward">One inference pass (forward(x): encode, draw z, decode).</param>
internal sealed record TorchSharpModel(torch.nn.Module Module, Func<torch.Tensor, torch.Tensor> Loss, Func<torch.Tensor, torch.Tensor> Forward);
