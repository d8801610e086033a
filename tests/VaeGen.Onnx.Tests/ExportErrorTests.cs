using System.Collections.Generic;
using System.Linq;
using System.IO;
using Microsoft.ML.OnnxRuntime;
using VaeGen.Builder;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Lowering;
using VaeGen.Spec.Shapes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Onnx.Tests;

/// <summary>What the graphs say about themselves, and the models the exporter refuses (with the layer named) instead of writing a wrong graph.</summary>
public sealed class ExportErrorTests(ExportedModels models) : IClassFixture<ExportedModels>
{
    [Fact]
    public void Every_graph_carries_the_spec_name_the_VaeGen_version_and_the_input_range()
    {
        ExportCase c = models["fashion_mlp.vae.yaml"];
        foreach (string graph in new[] { "encoder.onnx", "decoder.onnx", "vae.onnx" })
        {
            using var session = new InferenceSession(Path.Combine(c.Folder, graph));
            ModelMetadata metadata = session.ModelMetadata;
            Assert.Equal("VaeGen", metadata.ProducerName);
            Assert.Equal("FashionMlpVae", metadata.CustomMetadataMap["vaegen.spec"]);
            Assert.Equal(VaeOnnx.VaeGenVersion, metadata.CustomMetadataMap["vaegen.version"]);
            Assert.StartsWith("0.1.0", VaeOnnx.VaeGenVersion, System.StringComparison.Ordinal);
            Assert.Equal("[0, 255]", metadata.CustomMetadataMap["vaegen.input_range"]);
            Assert.Equal("255", metadata.CustomMetadataMap["vaegen.input_scale"]);
            Assert.Equal("nhwc", metadata.CustomMetadataMap["vaegen.input_layout"]);
            int[] declared = graph == "decoder.onnx" ? session.OutputMetadata["reconstruction"].Dimensions : session.InputMetadata["x"].Dimensions;
            Assert.Equal([-1, 28, 28, 1], declared);   // the batch is symbolic
        }
    }

    [Fact]
    public void A_pooling_layer_no_ONNX_ceil_mode_reproduces_is_refused_naming_it()
    {
        ModelPlan plan = ExportedModels.Plan(TestSpecs.Path("ceil_unexportable.vae.yaml"));
        VaeModel model = ModelBuilder.Create(plan, seed: 0);
        var e = Assert.Throws<OnnxExportException>(() => VaeOnnx.Export(model, plan));
        Assert.Equal("encoder.0", e.ModuleName);
        Assert.StartsWith("encoder.0 (maxpool2d", e.Message, System.StringComparison.Ordinal);
        Assert.Contains("ceil_mode", e.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_construction_with_no_export_is_an_error_naming_the_layer()
    {
        // A layer kind added to the lowering (and the runtime) before the exporter learns it.
        ExportCase c = models["seed000.vae.yaml"];
        LayerPlan row = c.Plan.Decoder[1];
        var unknown = new LayerConstruction((RuntimeLayerKind)1000, row.ModuleName, EquatableArray<ConstructionArgument>.Empty);
        var graph = new OnnxGraph("g");
        var state = new Dictionary<string, StateTensor>();
        var e = Assert.Throws<OnnxExportException>(() => new LayerExport(graph, state).Add(row, unknown, c.Model.Decoder.Children[1].Layer, "z"));
        Assert.Equal(row.ModuleName, e.ModuleName);
        Assert.Contains(row.ModuleName + " (", e.Message, System.StringComparison.Ordinal);
        Assert.Contains("no ONNX export", e.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Heads_or_a_decoder_that_read_more_than_the_encoder_or_z_are_refused_naming_the_layer()
    {
        // What a conditional VAE's plan looks like to the exporter: fc_mu and decoder.0 read labels besides h and z.
        ExportCase c = models["fashion_mlp.vae.yaml"];
        ModelPlan heads = c.Plan with { Mu = c.Plan.Mu with { InFeatures = c.Plan.Mu.InFeatures + 10 } };
        var e = Assert.Throws<OnnxExportException>(() => VaeOnnx.Export(c.Model, heads));
        Assert.Equal("fc_mu", e.ModuleName);
        Assert.StartsWith("fc_mu: reads 410 features where the encoder gives [400]", e.Message, System.StringComparison.Ordinal);

        LayerPlan first = c.Plan.Decoder[0];
        ModelPlan decoder = c.Plan with { Decoder = c.Plan.Decoder.Select((row, i) => i == 0 ? first with { Input = TensorShape.Flat(30) } : row).ToEquatableArray() };
        e = Assert.Throws<OnnxExportException>(() => VaeOnnx.Export(c.Model, decoder));
        Assert.Equal("decoder.0", e.ModuleName);
    }

    [Fact]
    public void A_model_that_is_not_the_specs_is_refused()
    {
        ExportCase mlp = models["fashion_mlp.vae.yaml"];
        ExportCase conv = models["fashion_conv.vae.yaml"];
        var e = Assert.Throws<OnnxExportException>(() => VaeOnnx.Export(mlp.Model, conv.Plan));
        Assert.Contains("FashionMlpVae", e.Message, System.StringComparison.Ordinal);
    }
}
