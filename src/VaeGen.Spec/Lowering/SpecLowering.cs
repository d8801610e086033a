using System;
using System.Linq;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;

namespace VaeGen.Spec.Lowering
{
    /// <summary>
    /// The one mapping from a checked spec to VaeGen.Runtime: which runtime layer each row of the
    /// plan becomes, with which literal arguments and which use of the random stream, and how the
    /// spec's choices map to the runtime's enums. The managed emitter renders it as source and the
    /// tool interprets it, so the generated class and the model the tool builds cannot drift apart;
    /// adding a layer kind means adding its case here (and its constructor to the interpreter).
    /// </summary>
    public static class SpecLowering
    {
        /// <summary>The whole model, in construction order.</summary>
        public static ModelConstruction Lower(ModelPlan plan)
        {
            if (plan is null)
            {
                throw new ArgumentNullException(nameof(plan));
            }

            return new ModelConstruction(
                Config(plan.Spec),
                plan.Encoder.Select(Layer).ToEquatableArray(),
                Layer(plan.Mu),
                Layer(plan.LogVar),
                plan.Decoder.Select(Layer).ToEquatableArray(),
                RandomUse.Forks);
        }

        /// <summary>The model's configuration: the input, the latent size and the loss.</summary>
        public static ConfigConstruction Config(VaeSpec spec)
        {
            if (spec is null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            return new ConfigConstruction(
                spec.Name,
                spec.Input.Shape.Select(Int).ToEquatableArray(),
                new RuntimeEnumValue("Models.InputLayout", spec.Input.Layout == InputLayout.Nhwc ? "Nhwc" : "Nchw"),
                spec.Input.Scale,
                Int(spec.Latent),
                new RuntimeEnumValue("Losses.ReconstructionTerm", spec.Reconstruction switch
                {
                    ReconstructionKind.BceLogits => "BceLogits",
                    ReconstructionKind.Bce => "Bce",
                    ReconstructionKind.Gaussian => "Gaussian",
                    _ => "Mse",
                }),
                new RuntimeEnumValue("Losses.Reduction", spec.Reduction == ReconstructionReduction.Sum ? "Sum" : "Mean"),
                spec.Beta)
            {
                Sigma = spec.Sigma,
                LearnedSigma = spec.SigmaLearned,
                KlWarmup = spec.KlWarmup,
                KlCapacity = spec.KlCapacity,
                Classes = Int(spec.Classes),
            };
        }

        /// <summary>One row of the plan as one runtime layer, with PyTorch's argument names and defaults spelled out.</summary>
        public static LayerConstruction Layer(LayerPlan row)
        {
            if (row is null)
            {
                throw new ArgumentNullException(nameof(row));
            }

            var (kind, arguments) = row.Layer switch
            {
                Conv2dSpec c => (RuntimeLayerKind.Conv2d, Drawn(c.Init,
                    Positional("inChannels", row.InFeatures), Positional("outChannels", c.Out), Size("kernelSize", c.Kernel), Size("stride", c.Stride),
                    Size("padding", c.Padding), Size("dilation", c.Dilation), Bool("bias", c.Bias))),
                ConvTranspose2dSpec t => (RuntimeLayerKind.ConvTranspose2d, Drawn(t.Init,
                    Positional("inChannels", row.InFeatures), Positional("outChannels", t.Out), Size("kernelSize", t.Kernel), Size("stride", t.Stride),
                    Size("padding", t.Padding), Size("outputPadding", t.OutputPadding), Size("dilation", t.Dilation), Bool("bias", t.Bias))),
                Pool2dSpec p => (p.Kind == PoolKind.Max ? RuntimeLayerKind.MaxPool2d : RuntimeLayerKind.AvgPool2d, Args(
                    Size("kernelSize", p.Kernel), Size("stride", p.Stride), Size("padding", p.Padding), Bool("ceilMode", p.CeilMode))),
                UpsampleSpec u => (RuntimeLayerKind.Upsample, Args(
                    new DoubleArgument("scaleH", false, u.Scale.Height), new DoubleArgument("scaleW", false, u.Scale.Width),
                    new EnumArgument("mode", false, new RuntimeEnumValue("Layers.UpsampleMode", u.Mode == UpsampleMode.Nearest ? "Nearest" : "Bilinear")))),
                LinearSpec l => (RuntimeLayerKind.Linear, Drawn(l.Init, Positional("inFeatures", row.InFeatures), Positional("outFeatures", l.Out), Bool("bias", l.Bias))),
                BatchNormSpec => (row.Input.IsImage ? RuntimeLayerKind.BatchNorm2d : RuntimeLayerKind.BatchNorm1d, Args(Positional("numFeatures", row.InFeatures))),

                // Its own stream, so how many numbers dropout draws never shifts eps.
                DropoutSpec d => (RuntimeLayerKind.Dropout, Args(new DoubleArgument("p", false, d.P), new RandomArgument("rng", false, RandomUse.Forks))),
                FlattenSpec => (RuntimeLayerKind.Flatten, Args()),
                UnflattenSpec u => (RuntimeLayerKind.Unflatten, Args(Positional("dim", 1), new IntListArgument("sizes", false, u.Shape.Select(Int).ToEquatableArray()))),
                ActivationSpec a => Activation(a),
                ZeroPad2dSpec z => (RuntimeLayerKind.ZeroPad2d, Args(Positional("left", z.Left), Positional("right", z.Right), Positional("top", z.Top), Positional("bottom", z.Bottom))),

                // The body is a child Sequential named "body": its layers are built, and draw, in order, as PyTorch registers them.
                ResidualSpec => (RuntimeLayerKind.Residual, Args()),
                _ => throw new InvalidOperationException("Unhandled layer " + row.Layer.GetType().Name),
            };
            return new LayerConstruction(kind, row.ModuleName, arguments) { Body = row.Body.Select(Layer).ToEquatableArray() };
        }

        private static (RuntimeLayerKind, EquatableArray<ConstructionArgument>) Activation(ActivationSpec a) => a.Kind switch
        {
            ActivationKind.Relu => (RuntimeLayerKind.ReLU, Args()),
            ActivationKind.Sigmoid => (RuntimeLayerKind.Sigmoid, Args()),
            ActivationKind.Tanh => (RuntimeLayerKind.Tanh, Args()),
            ActivationKind.Gelu => (RuntimeLayerKind.GELU, Args()),
            ActivationKind.Silu => (RuntimeLayerKind.SiLU, Args()),
            ActivationKind.Elu => (RuntimeLayerKind.ELU, Args()),
            ActivationKind.LeakyRelu => (RuntimeLayerKind.LeakyReLU, Args(new FloatArgument("negativeSlope", false, (float)a.Slope))),
            _ => throw new InvalidOperationException("Unhandled activation " + a.Kind),
        };

        private static readonly RandomArgument Draws = new RandomArgument("rng", true, RandomUse.Draws);

        /// <summary>
        /// The arguments of a layer that draws its parameters: <paramref name="leading"/>, then <c>init:</c> when the
        /// spec chose a scheme other than PyTorch's default (so a v1 spec lowers exactly as before), then the stream.
        /// </summary>
        private static EquatableArray<ConstructionArgument> Drawn(InitScheme init, params ConstructionArgument[] leading)
        {
            var arguments = leading.ToList();
            if (init != InitScheme.Pytorch)
            {
                arguments.Add(new EnumArgument("init", true, InitMember(init)));
            }

            arguments.Add(Draws);
            return arguments.ToEquatableArray();
        }

        /// <summary>The runtime's <c>Init.InitScheme</c> member for a spec's <c>init:</c>.</summary>
        public static RuntimeEnumValue InitMember(InitScheme init) => new RuntimeEnumValue("Init.InitScheme", init switch
        {
            InitScheme.XavierUniform => "XavierUniform",
            InitScheme.XavierNormal => "XavierNormal",
            InitScheme.KaimingUniform => "KaimingUniform",
            InitScheme.KaimingNormal => "KaimingNormal",
            _ => "PyTorch",
        });

        private static EquatableArray<ConstructionArgument> Args(params ConstructionArgument[] arguments) => EquatableArray<ConstructionArgument>.FromOwned(arguments);

        private static IntArgument Positional(string parameter, long value) => new IntArgument(parameter, false, Int(value));

        private static SizeArgument Size(string parameter, Size2 size) => new SizeArgument(parameter, true, Int(size.Height), Int(size.Width));

        private static BoolArgument Bool(string parameter, bool value) => new BoolArgument(parameter, true, value);

        // The checker rejects sizes beyond 32-bit element counts, so this cannot fail for a checked plan.
        private static int Int(long value) => checked((int)value);
    }
}
