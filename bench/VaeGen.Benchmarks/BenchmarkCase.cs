using System;
using VaeGen.Runtime.Models;
using VaeGen.Specs;

namespace VaeGen.Benchmarks;

/// <summary>A reference spec, its generated class and the batch size the benchmark uses for it.</summary>
/// <param name="Name">The spec's file name without .vae.yaml.</param>
/// <param name="Batch">Samples per step.</param>
/// <param name="Create">Builds the generated model.</param>
/// <param name="RangeMin">Lowest value of the data as it arrives (the spec's input range).</param>
/// <param name="RangeMax">Highest value of the data as it arrives.</param>
internal sealed record BenchmarkCase(string Name, int Batch, Func<VaeModel> Create, double RangeMin, double RangeMax)
{
    /// <summary>The four specs the README's table reports, with the batch sizes the issue fixes.</summary>
    public static readonly BenchmarkCase[] All =
    {
        new("seed000", 64, () => new SeedVae(seed: 0), SeedVae.InputRangeMin, SeedVae.InputRangeMax),
        new("fashion_mlp", 128, () => new FashionMlpVae(seed: 0), FashionMlpVae.InputRangeMin, FashionMlpVae.InputRangeMax),
        new("fashion_conv", 128, () => new FashionConvVae(seed: 0), FashionConvVae.InputRangeMin, FashionConvVae.InputRangeMax),
        new("seed002_rgb64", 32, () => new RgbVae64(seed: 0), RgbVae64.InputRangeMin, RgbVae64.InputRangeMax),
    };

    public string SpecPath(string repositoryRoot) => System.IO.Path.Combine(repositoryRoot, "specs", Name + ".vae.yaml");
}
