using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using RuntimeLayout = VaeGen.Runtime.Models.InputLayout;
using RuntimeUpsampleMode = VaeGen.Runtime.Layers.UpsampleMode;
using SpecLayout = VaeGen.Spec.Model.InputLayout;
using SpecUpsampleMode = VaeGen.Spec.Model.UpsampleMode;

namespace VaeGen.Tool.Models;

/// <summary>
/// Builds the runtime model a checked spec describes, at run time, so the tool needs no generated
/// class. It must build exactly what the managed generator emits (ManagedEmitter, ManagedLayers):
/// the same layers with the same arguments, drawing from one <see cref="Rng"/> in the same order
/// (encoder, fc_mu, fc_logvar, decoder, then a fork for the noise; dropout forks at its position),
/// so a seed gives bit-identical weights here and in <c>new FashionMlpVae(seed)</c> (tested).
/// </summary>
internal static class SpecModelFactory
{
    /// <summary>The model with PyTorch's default initialisation drawn from <paramref name="seed"/>.</summary>
    public static VaeModel Create(ModelPlan plan, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var rng = new Rng(seed);

        // Separate statements, in the order the generated constructor's arguments run.
        VaeConfig config = CreateConfig(plan);
        Sequential encoder = CreateSequential(plan.Encoder, rng);
        Linear fcMu = (Linear)CreateLayer(plan.Mu, rng);
        Linear fcLogVar = (Linear)CreateLayer(plan.LogVar, rng);
        Sequential decoder = CreateSequential(plan.Decoder, rng);
        return new VaeModel(config, encoder, fcMu, fcLogVar, decoder, rng.Fork());
    }

    public static VaeConfig CreateConfig(ModelPlan plan)
    {
        VaeSpec spec = plan.Spec;
        return new VaeConfig(
            name: spec.Name,
            inputShape: [Int(spec.Input.Shape[0]), Int(spec.Input.Shape[1]), Int(spec.Input.Shape[2])],
            layout: spec.Input.Layout == SpecLayout.Nhwc ? RuntimeLayout.Nhwc : RuntimeLayout.Nchw,
            scale: spec.Input.Scale,
            latentDim: Int(spec.Latent),
            reconstruction: spec.Reconstruction switch
            {
                ReconstructionKind.BceLogits => ReconstructionTerm.BceLogits,
                ReconstructionKind.Bce => ReconstructionTerm.Bce,
                _ => ReconstructionTerm.Mse,
            },
            reduction: spec.Reduction == ReconstructionReduction.Sum ? Reduction.Sum : Reduction.Mean,
            beta: spec.Beta);
    }

    /// <summary>One runtime layer for one row of the plan; layers with parameters draw their initial values from <paramref name="rng"/>.</summary>
    public static Layer CreateLayer(LayerPlan row, Rng rng) => row.Layer switch
    {
        Conv2dSpec c => new Conv2d(Int(row.InFeatures), Int(c.Out), kernelSize: Pair(c.Kernel), stride: Pair(c.Stride),
            padding: Pair(c.Padding), dilation: Pair(c.Dilation), bias: c.Bias, rng: rng),
        ConvTranspose2dSpec t => new ConvTranspose2d(Int(row.InFeatures), Int(t.Out), kernelSize: Pair(t.Kernel), stride: Pair(t.Stride),
            padding: Pair(t.Padding), outputPadding: Pair(t.OutputPadding), dilation: Pair(t.Dilation), bias: t.Bias, rng: rng),
        Pool2dSpec { Kind: PoolKind.Max } p => new MaxPool2d(kernelSize: Pair(p.Kernel), stride: Pair(p.Stride), padding: Pair(p.Padding), ceilMode: p.CeilMode),
        Pool2dSpec p => new AvgPool2d(kernelSize: Pair(p.Kernel), stride: Pair(p.Stride), padding: Pair(p.Padding), ceilMode: p.CeilMode),
        UpsampleSpec u => new Upsample(u.Scale.Height, u.Scale.Width, u.Mode == SpecUpsampleMode.Nearest ? RuntimeUpsampleMode.Nearest : RuntimeUpsampleMode.Bilinear),
        LinearSpec l => new Linear(Int(row.InFeatures), Int(l.Out), bias: l.Bias, rng: rng),
        BatchNormSpec => row.Input.IsImage ? new BatchNorm2d(Int(row.InFeatures)) : new BatchNorm1d(Int(row.InFeatures)),

        // Its own stream, so how many numbers dropout draws never shifts eps (as the generator does).
        DropoutSpec d => new Dropout(d.P, rng.Fork()),
        FlattenSpec => new Flatten(),
        UnflattenSpec u => new Unflatten(1, Ints(u.Shape)),
        ActivationSpec a => a.Kind switch
        {
            ActivationKind.Relu => new ReLU(),
            ActivationKind.Sigmoid => new Sigmoid(),
            ActivationKind.Tanh => new Tanh(),
            ActivationKind.Gelu => new GELU(),
            ActivationKind.Silu => new SiLU(),
            ActivationKind.Elu => new ELU(),
            ActivationKind.LeakyRelu => new LeakyReLU((float)a.Slope),
            _ => throw new InvalidOperationException("Unhandled activation " + a.Kind),
        },
        _ => throw new InvalidOperationException("Unhandled layer " + row.Layer.GetType().Name),
    };

    private static Sequential CreateSequential(IReadOnlyList<LayerPlan> rows, Rng rng)
    {
        var sequential = new Sequential();
        foreach (LayerPlan row in rows)
        {
            sequential.Add(CreateLayer(row, rng));
        }

        return sequential;
    }

    // The checker rejects sizes beyond 32-bit element counts, so these conversions cannot fail for a checked plan.
    private static int Int(long value) => checked((int)value);

    private static Size2d Pair(Size2 size) => new(Int(size.Height), Int(size.Width));

    private static int[] Ints(IReadOnlyList<long> values)
    {
        var result = new int[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Int(values[i]);
        }

        return result;
    }
}
