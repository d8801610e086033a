using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using VaeGen.Builder;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Lowering;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>
/// The lowering (VaeGen.Spec, which cannot reference the runtime) names runtime types, constructor
/// parameters and enum members as text; the generator renders that text and ModelBuilder binds it.
/// These tests hold the text to the real runtime, so a renamed parameter or type fails here and not
/// in a user's build.
/// </summary>
public sealed class LoweringTests
{
    // Every runtime layer kind at least once: each pool, both upsample modes, both batchnorms, every activation,
    // zero_pad2d (written, and from an uneven padding: same) and a residual block with a nested one.
    private const string EveryLayer = """
        name: EveryLayerVae
        input:
          shape: [3, 8, 8]
        latent: 4
        encoder:
          - conv2d: { out: 4, kernel: 3, padding: 1, activation: relu }
          - zero_pad2d: [1, 0, 0, 1]
          - conv2d: { out: 4, kernel: 2, padding: same }
          - residual: [ conv2d: { out: 4, kernel: 3, padding: 1 }, relu, residual: [ batchnorm ] ]
          - maxpool2d: { kernel: 2, stride: 2, padding: 0, ceil_mode: true }
          - avgpool2d: { kernel: 2 }
          - batchnorm
          - dropout: { p: 0.1 }
          - silu
          - flatten
          - linear: { out: 8, activation: gelu }
          - batchnorm
          - tanh
          - elu
          - leaky_relu: { slope: 0.1 }
        decoder:
          - linear: { out: 48, activation: sigmoid }
          - unflatten: [3, 4, 4]
          - upsample: { scale: 2 }
          - upsample: { scale: 1, mode: bilinear }
          - conv_transpose2d: { out: 3, kernel: 3, padding: 1 }
        """;

    private static ModelConstruction Lowered()
    {
        SpecCheckResult result = SpecChecker.Check("every_layer.vae.yaml", EveryLayer);
        return SpecLowering.Lower(result.Plan ?? throw new InvalidOperationException(string.Join("; ", result.Diagnostics)));
    }

    private static IEnumerable<LayerConstruction> Layers(ModelConstruction model) =>
        WithBodies(model.Encoder).Append(model.Mu).Append(model.LogVar).Concat(WithBodies(model.Decoder));

    // A residual block's body layers are constructions too, built inside it.
    private static IEnumerable<LayerConstruction> WithBodies(IEnumerable<LayerConstruction> layers) =>
        layers.SelectMany(l => WithBodies(l.Body).Append(l));

    [Fact]
    public void The_test_spec_lowers_to_every_runtime_layer_kind()
    {
        Assert.Equal(Enum.GetValues<RuntimeLayerKind>().OrderBy(k => k), Layers(Lowered()).Select(l => l.Kind).Distinct().OrderBy(k => k));
    }

    [Fact]
    public void Every_construction_binds_to_a_runtime_constructor_by_name_and_position()
    {
        foreach (LayerConstruction layer in Layers(Lowered()))
        {
            Type type = typeof(Layer).Assembly.GetType("VaeGen.Runtime." + layer.TypeName)
                ?? throw new InvalidOperationException("No runtime type VaeGen.Runtime." + layer.TypeName);
            Assert.True(typeof(Layer).IsAssignableFrom(type), type.FullName);
            // A residual block's one constructor argument is the Sequential of its body, built from layer.Body.
            bool binds = layer.Kind == RuntimeLayerKind.Residual
                ? layer.Arguments.Count == 0 && layer.Body.Count > 0 && type.GetConstructor([typeof(Sequential)]) is not null
                : type.GetConstructors().Any(c => Binds(layer, c.GetParameters()));
            Assert.True(binds, layer.ModuleName + ": no public constructor of " + type.FullName + " takes (" +
                string.Join(", ", layer.Arguments.Select(a => (a.Named ? a.Parameter + ": " : "#" + a.Parameter + " ") + a.GetType().Name)) + ")");

            // The interpreter builds exactly that type.
            Assert.IsType(type, ModelBuilder.CreateLayer(layer, new Rng(0)));
        }
    }

    [Fact]
    public void Config_enum_members_exist_in_the_runtime()
    {
        ConfigConstruction config = Lowered().Config;
        foreach (RuntimeEnumValue value in new[] { config.Layout, config.Reconstruction, config.Reduction })
        {
            Type type = typeof(Layer).Assembly.GetType("VaeGen.Runtime." + value.Type) ?? throw new InvalidOperationException("No runtime enum " + value.Type);
            Assert.Contains(value.Member, Enum.GetNames(type));
        }

        Assert.Equal("EveryLayerVae", ModelBuilder.CreateConfig(config).Name);
    }

    [Fact]
    public void Random_use_is_the_generated_order_of_draws()
    {
        ModelConstruction model = Lowered();
        Assert.Equal(RandomUse.Forks, model.Noise);
        foreach (LayerConstruction layer in Layers(model))
        {
            RandomUse expected = layer.Kind switch
            {
                RuntimeLayerKind.Conv2d or RuntimeLayerKind.ConvTranspose2d or RuntimeLayerKind.Linear => RandomUse.Draws,
                RuntimeLayerKind.Dropout => RandomUse.Forks,
                _ => RandomUse.None,
            };
            Assert.Equal(expected, layer.Random);
        }
    }

    [Fact]
    public void Lowering_is_value_equal_for_equal_specs()
    {
        Assert.Equal(Lowered(), Lowered());
        Assert.Equal(Lowered().GetHashCode(), Lowered().GetHashCode());
    }

    // Positional arguments fill the leading parameters in order; named ones match a parameter by
    // name; every parameter left over has a default; the literal's type fits the parameter's.
    private static bool Binds(LayerConstruction layer, ParameterInfo[] parameters)
    {
        var used = new HashSet<string>();
        int position = 0;
        foreach (ConstructionArgument argument in layer.Arguments)
        {
            ParameterInfo? parameter = argument.Named
                ? parameters.FirstOrDefault(p => p.Name == argument.Parameter)
                : position < parameters.Length ? parameters[position++] : null;
            if (parameter is null || parameter.Name != argument.Parameter || !used.Add(parameter.Name!) || !Fits(argument, parameter.ParameterType))
            {
                return false;
            }
        }

        return parameters.All(p => used.Contains(p.Name!) || p.HasDefaultValue || p.IsDefined(typeof(ParamArrayAttribute)));
    }

    private static bool Fits(ConstructionArgument argument, Type parameter)
    {
        Type type = Nullable.GetUnderlyingType(parameter) ?? parameter;
        return argument switch
        {
            IntArgument => type == typeof(int),
            SizeArgument => type == typeof(Size2d),
            BoolArgument => type == typeof(bool),
            DoubleArgument => type == typeof(double),
            FloatArgument => type == typeof(float),
            IntListArgument => type == typeof(int[]),
            EnumArgument e => type.IsEnum && type.FullName == "VaeGen.Runtime." + e.Value.Type && Enum.GetNames(type).Contains(e.Value.Member),
            RandomArgument => type == typeof(Rng),
            _ => false,
        };
    }
}
