using System;
using VaeGen.Runtime.Models;
using VaeGen.Specs;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>The generated classes under test, by spec file.</summary>
internal static class Models
{
    public static readonly TheoryData<string> ShippedSpecs = new()
    {
        "seed000.vae.yaml", "fashion_mlp.vae.yaml", "fashion_conv.vae.yaml", "seed002_rgb64.vae.yaml",
    };

    public static VaeModel Create(string specFile, ulong seed = 0) => specFile switch
    {
        "seed000.vae.yaml" => new SeedVae(seed),
        "fashion_mlp.vae.yaml" => new FashionMlpVae(seed),
        "fashion_conv.vae.yaml" => new FashionConvVae(seed),
        "seed002_rgb64.vae.yaml" => new RgbVae64(seed),
        "parity_layers.vae.yaml" => new ParityLayersVae(seed),
        "init_schemes.vae.yaml" => new InitSchemesVae(seed),
        "parity_v11.vae.yaml" => new ParityV11Vae(seed),
        "gaussian_learned.vae.yaml" => new GaussianLearnedVae(seed),
        "gaussian_fixed.vae.yaml" => new GaussianFixedVae(seed),
        "kl_warmup.vae.yaml" => new KlWarmupVae(seed),
        "kl_capacity.vae.yaml" => new KlCapacityVae(seed),
        "condition.vae.yaml" => new ConditionVae(seed),
        _ => throw new ArgumentException("No generated class for " + specFile, nameof(specFile)),
    };
}
