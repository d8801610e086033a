using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Spec.Lowering;
using VaeGen.Spec.Shapes;

namespace VaeGen.Builder;

/// <summary>
/// Builds the runtime model a checked spec describes by interpreting its lowering
/// (<see cref="SpecLowering"/>): a switch from construction kind to constructor, with the
/// arguments the lowering computed. What a spec becomes is decided there, once; the managed
/// generator renders the same lowering as source, so a seed gives bit-identical weights here and
/// in the generated class (tested in VaeGen.Tool.Tests' FactoryTests).
/// </summary>
public static class ModelBuilder
{
    /// <summary>The model with PyTorch's default initialisation drawn from <paramref name="seed"/>.</summary>
    public static VaeModel Create(ModelPlan plan, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Create(SpecLowering.Lower(plan), seed);
    }

    /// <summary>The model with PyTorch's default initialisation drawn from <paramref name="seed"/>.</summary>
    public static VaeModel Create(ModelConstruction model, ulong seed) => new BuiltModel(model, CreateParts(model, new Rng(seed)));

    /// <summary>The arguments of the <see cref="VaeModel"/> constructor, drawn from <paramref name="rng"/> in construction order.</summary>
    public static ModelParts CreateParts(ModelConstruction model, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rng);

        // Separate statements, in the order the generated constructor's arguments run.
        VaeConfig config = CreateConfig(model.Config);
        Sequential encoder = CreateSequential(model.Encoder, rng);
        Linear mu = (Linear)CreateLayer(model.Mu, rng);
        Linear logVar = (Linear)CreateLayer(model.LogVar, rng);
        Sequential decoder = CreateSequential(model.Decoder, rng);
        Rng noise = Stream(model.Noise, rng);
        return new ModelParts(config, encoder, mu, logVar, decoder, noise);
    }

    /// <summary>The runtime configuration.</summary>
    public static VaeConfig CreateConfig(ConfigConstruction config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new VaeConfig(
            config.Name,
            config.InputShape.ToArray(),
            Enum<InputLayout>(config.Layout),
            config.Scale,
            config.LatentDim,
            Enum<ReconstructionTerm>(config.Reconstruction),
            Enum<Reduction>(config.Reduction),
            config.Beta,
            config.Sigma,
            config.LearnedSigma,
            config.KlCapacity is { } capacity ? KlSchedule.Capacity(capacity.Max, capacity.Steps, capacity.Gamma)
                : config.KlWarmup > 0 ? KlSchedule.Warmup(config.KlWarmup) : null,
            config.Classes);
    }

    /// <summary>One runtime layer; layers that use the random stream take it (or a fork of it) from <paramref name="rng"/>.</summary>
    public static Layer CreateLayer(LayerConstruction c, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Kind switch
        {
            RuntimeLayerKind.Conv2d => new Conv2d(c.Int("inChannels"), c.Int("outChannels"), kernelSize: Size(c, "kernelSize"), stride: Size(c, "stride"),
                padding: Size(c, "padding"), dilation: Size(c, "dilation"), bias: c.Bool("bias"), rng: Stream(c.Random, rng), init: Init(c)),
            RuntimeLayerKind.ConvTranspose2d => new ConvTranspose2d(c.Int("inChannels"), c.Int("outChannels"), kernelSize: Size(c, "kernelSize"), stride: Size(c, "stride"),
                padding: Size(c, "padding"), outputPadding: Size(c, "outputPadding"), dilation: Size(c, "dilation"), bias: c.Bool("bias"), rng: Stream(c.Random, rng), init: Init(c)),
            RuntimeLayerKind.MaxPool2d => new MaxPool2d(kernelSize: Size(c, "kernelSize"), stride: Size(c, "stride"), padding: Size(c, "padding"), ceilMode: c.Bool("ceilMode")),
            RuntimeLayerKind.AvgPool2d => new AvgPool2d(kernelSize: Size(c, "kernelSize"), stride: Size(c, "stride"), padding: Size(c, "padding"), ceilMode: c.Bool("ceilMode")),
            RuntimeLayerKind.Upsample => new Upsample(c.Double("scaleH"), c.Double("scaleW"), Enum<UpsampleMode>(c.Enum("mode"))),
            RuntimeLayerKind.Linear => new Linear(c.Int("inFeatures"), c.Int("outFeatures"), bias: c.Bool("bias"), rng: Stream(c.Random, rng), init: Init(c)),
            RuntimeLayerKind.BatchNorm1d => new BatchNorm1d(c.Int("numFeatures")),
            RuntimeLayerKind.BatchNorm2d => new BatchNorm2d(c.Int("numFeatures")),
            RuntimeLayerKind.Dropout => new Dropout(c.Double("p"), Stream(c.Random, rng)),
            RuntimeLayerKind.Flatten => new Flatten(),
            RuntimeLayerKind.Unflatten => new Unflatten(c.Int("dim"), c.Ints("sizes")),
            RuntimeLayerKind.ReLU => new ReLU(),
            RuntimeLayerKind.Sigmoid => new Sigmoid(),
            RuntimeLayerKind.Tanh => new Tanh(),
            RuntimeLayerKind.GELU => new GELU(),
            RuntimeLayerKind.SiLU => new SiLU(),
            RuntimeLayerKind.ELU => new ELU(),
            RuntimeLayerKind.LeakyReLU => new LeakyReLU(c.Float("negativeSlope")),
            RuntimeLayerKind.ZeroPad2d => new ZeroPad2d(c.Int("left"), c.Int("right"), c.Int("top"), c.Int("bottom")),
            RuntimeLayerKind.Residual => new Residual(CreateSequential(c.Body, rng)),
            _ => throw new InvalidOperationException("Unhandled runtime layer " + c.Kind),
        };
    }

    private static Sequential CreateSequential(IReadOnlyList<LayerConstruction> layers, Rng rng)
    {
        var sequential = new Sequential();
        foreach (LayerConstruction layer in layers)
        {
            sequential.Add(CreateLayer(layer, rng));
        }

        return sequential;
    }

    /// <summary>The stream a construction takes: <paramref name="rng"/> itself, or a fork of it (one draw now).</summary>
    private static Rng Stream(RandomUse use, Rng rng) => use switch
    {
        RandomUse.Draws => rng,
        RandomUse.Forks => rng.Fork(),
        _ => throw new InvalidOperationException("The construction takes no random stream"),
    };

    /// <summary>The construction's <c>init:</c>, PyTorch's default when the lowering wrote none.</summary>
    private static InitScheme Init(LayerConstruction c) => c.OptionalEnum("init") is { } init ? Enum<InitScheme>(init) : InitScheme.PyTorch;

    private static Size2d Size(LayerConstruction c, string parameter)
    {
        var (height, width) = c.Size(parameter);
        return new Size2d(height, width);
    }

    private static T Enum<T>(RuntimeEnumValue value)
        where T : struct, Enum
    {
        if (typeof(T).FullName != "VaeGen.Runtime." + value.Type)
        {
            throw new InvalidOperationException("The lowering names " + value.Type + "." + value.Member + " where the runtime takes " + typeof(T).FullName);
        }

        return System.Enum.Parse<T>(value.Member);
    }

    /// <summary>A model built from a lowering, which builds its replicas (<c>VaeModel.CreateReplica</c>) from it again.</summary>
    private sealed class BuiltModel(ModelConstruction model, ModelParts parts)
        : VaeModel(parts.Config, parts.Encoder, parts.Mu, parts.LogVar, parts.Decoder, parts.Noise)
    {
        /// <inheritdoc />
        protected override VaeModel CreateReplica() => new BuiltModel(model, CreateParts(model, new Rng(0)));
    }
}

/// <summary>The arguments of the <see cref="VaeModel"/> constructor, for code that composes the model's pieces itself (the benchmarks).</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Encoder">The encoder.</param>
/// <param name="Mu">fc_mu.</param>
/// <param name="LogVar">fc_logvar.</param>
/// <param name="Decoder">The decoder.</param>
/// <param name="Noise">The noise stream (eps in training, z in Sample).</param>
public sealed record ModelParts(VaeConfig Config, Sequential Encoder, Linear Mu, Linear LogVar, Sequential Decoder, Rng Noise);
