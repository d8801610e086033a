using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using Google.Protobuf;
using Onnx;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Lowering;
using VaeGen.Spec.Shapes;

namespace VaeGen.Onnx;

/// <summary>
/// Exports a VaeGen model to ONNX: <c>encoder.onnx</c> (x -> mu, logvar), <c>decoder.onnx</c> (z ->
/// reconstruction) and <c>vae.onnx</c> (x, eps -> reconstruction, mu, logvar), each with a dynamic batch
/// dimension named <c>batch</c>. A conditional VAE (spec 1.1 <c>condition</c>) takes a second input
/// <c>labels</c>, int64 (batch), in every graph: <c>OneHot</c> and <c>Concat</c> append one_hot(labels) after the
/// encoder's output and after z, as the model does.
/// </summary>
/// <remarks>
/// <para>
/// The graphs take and give tensors as the model does: x in the spec's declared layout and value range
/// (the transpose to channels first and the division by <c>input.scale</c> are in the graph), the
/// reconstruction in the declared layout and in the model's range (data range / scale), through a
/// sigmoid for <c>bce_logits</c> so that it is always the reconstruction itself (probabilities), never
/// logits. Inference mode: batchnorm uses its running statistics and dropout is the identity.
/// </para>
/// <para>
/// The layers are those of the spec's lowering (<see cref="SpecLowering"/>), the description the managed
/// generator renders and VaeGen.Builder interprets; the weights are the model object's, under PyTorch's
/// state_dict names, which are also the initializers' names.
/// </para>
/// </remarks>
public static class VaeOnnx
{
    /// <summary>The ONNX operator set the graphs use: the newest ONNX 1.12's checker knows, and ONNX Runtime 1.31 runs.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version written (ONNX 1.12's).</summary>
    public const long IrVersion = 8;

    /// <summary>The file names <see cref="Save"/> writes.</summary>
    public const string EncoderFile = "encoder.onnx", DecoderFile = "decoder.onnx", VaeFile = "vae.onnx";

    /// <summary>Builds the three graphs of <paramref name="model"/>, whose architecture is <paramref name="plan"/>.</summary>
    /// <param name="model">The model with its weights (a generated managed class or one VaeGen.Builder made).</param>
    /// <param name="plan">The checked spec the model was built from (<c>SpecChecker.Check(...).Plan</c>).</param>
    /// <returns>The three ONNX models.</returns>
    /// <exception cref="OnnxExportException">A layer ONNX cannot express exactly, or a model that is not the plan's; the message names the layer.</exception>
    public static VaeOnnxModels Export(VaeModel model, ModelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        var export = new Exporter(model, plan);
        return new VaeOnnxModels(export.Encoder(), export.Decoder(), export.Vae());
    }

    /// <summary>Exports and writes <c>encoder.onnx</c>, <c>decoder.onnx</c> and <c>vae.onnx</c> into <paramref name="folder"/> (created if missing).</summary>
    /// <param name="model">The model with its weights.</param>
    /// <param name="plan">The checked spec the model was built from.</param>
    /// <param name="folder">The output folder.</param>
    /// <returns>The three paths written.</returns>
    /// <exception cref="OnnxExportException">The model cannot be exported; nothing is written then.</exception>
    public static IReadOnlyList<string> Save(VaeModel model, ModelPlan plan, string folder) => Export(model, plan).Save(folder);

    /// <summary>VaeGen's version as the graphs' metadata records it (the assembly's informational version without a commit suffix).</summary>
    public static string VaeGenVersion
    {
        get
        {
            string? version = typeof(VaeOnnx).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            version ??= typeof(VaeOnnx).Assembly.GetName().Version?.ToString() ?? "unknown";
            int plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? version : version[..plus];
        }
    }

    /// <summary>Builds the graphs; one instance per export.</summary>
    private sealed class Exporter
    {
        private readonly VaeModel _model;
        private readonly ModelPlan _plan;
        private readonly ModelConstruction _lowering;
        private readonly Dictionary<string, StateTensor> _state = new(StringComparer.Ordinal);

        public Exporter(VaeModel model, ModelPlan plan)
        {
            _model = model;
            _plan = plan;
            _lowering = SpecLowering.Lower(plan);
            foreach (StateTensor entry in model.StateDict())
            {
                _state[entry.Name] = entry;
            }

            CheckModelMatchesPlan();
            CheckDataFlow();
        }

        private VaeConfig Config => _model.Config;

        private int[] InputSample => Config.InputShape.ToArray();

        private int[] Latent => [Config.LatentDim];

        public ModelProto Encoder()
        {
            var graph = new OnnxGraph(_plan.Spec.Name + "_encoder");
            string x = graph.AddInput("x", InputSample, InputDoc);
            string? oneHot = Labels(graph);
            var (mu, logVar) = Encode(graph, x, oneHot);
            graph.AddOutput(mu, "mu", Latent, "Mean of q(z|x).");
            graph.AddOutput(logVar, "logvar", Latent, "log sigma^2 of q(z|x).");
            return Model(graph, "The encoder of " + _plan.Spec.Name + ": x" + LabelsArgument + " -> mu, logvar.");
        }

        public ModelProto Decoder()
        {
            var graph = new OnnxGraph(_plan.Spec.Name + "_decoder");
            string z = graph.AddInput("z", Latent, "Latent vectors, (batch, " + Config.LatentDim + ").");
            string? oneHot = Labels(graph);
            graph.AddOutput(Decode(graph, z, oneHot), "reconstruction", InputSample, ReconstructionDoc);
            return Model(graph, "The decoder of " + _plan.Spec.Name + ": z" + LabelsArgument + " -> reconstruction.");
        }

        public ModelProto Vae()
        {
            var graph = new OnnxGraph(_plan.Spec.Name + "_vae");
            string x = graph.AddInput("x", InputSample, InputDoc);
            string? oneHot = Labels(graph);
            string eps = graph.AddInput("eps", Latent, "Standard-normal noise, (batch, " + Config.LatentDim + "): z = mu + exp(0.5 logvar) * eps.");
            var (mu, logVar) = Encode(graph, x, oneHot);

            // The reparameterisation z = mu + exp(0.5 * logvar) * eps, as VaeModel.Reparameterize.
            string halfLogVar = graph.Node("Mul", [logVar, graph.AddScalar("half", 0.5f)], "half_logvar");
            string std = graph.Node("Exp", [halfLogVar], "std");
            string z = graph.Node("Add", [mu, graph.Node("Mul", [std, eps], "std_eps")], "z");
            graph.AddOutput(Decode(graph, z, oneHot), "reconstruction", InputSample, ReconstructionDoc);
            graph.AddOutput(mu, "mu", Latent, "Mean of q(z|x).");
            graph.AddOutput(logVar, "logvar", Latent, "log sigma^2 of q(z|x).");
            return Model(graph, "The whole VAE " + _plan.Spec.Name + ": x" + LabelsArgument + ", eps -> reconstruction, mu, logvar.");
        }

        private string LabelsArgument => Config.Classes > 0 ? ", labels" : string.Empty;

        /// <summary>
        /// A conditional VAE's <c>labels</c> input and their one-hot, (batch, K) float, made once per graph; null otherwise.
        /// ONNX's OneHot maps a label of -1 to K-1 and one outside -K..K-1 to a row of zeros instead of failing: the
        /// caller passes labels in 0..K-1, as the model's own overloads enforce.
        /// </summary>
        private string? Labels(OnnxGraph graph)
        {
            int classes = Config.Classes;
            if (classes == 0)
            {
                return null;
            }

            string labels = graph.AddInt64Input("labels", $"The class of each sample, int64 (batch), in 0..{classes - 1} (condition: {{ classes: {classes} }}).");
            string depth = graph.AddInt64s("classes", classes);
            string values = graph.AddFloats("one_hot_values", [2], [0f, 1f]);
            return graph.Node("OneHot", [labels, depth, values], "one_hot", OnnxGraph.Int("axis", -1));
        }

        private string InputDoc =>
            $"The input batch, (batch, {string.Join(", ", InputSample)}) in layout {Config.LayoutName}, values in [{Number(_plan.Spec.Input.RangeMin)}, {Number(_plan.Spec.Input.RangeMax)}]; the graph divides by {Number(Config.Scale)}.";

        private string ReconstructionDoc =>
            $"The reconstruction, (batch, {string.Join(", ", InputSample)}) in layout {Config.LayoutName}, in the model's range (input range / {Number(Config.Scale)})"
            + (Config.Reconstruction == ReconstructionTerm.BceLogits ? "; the decoder's logits through a sigmoid (probabilities)." : ".");

        private (string Mu, string LogVar) Encode(OnnxGraph graph, string x, string? oneHot)
        {
            var export = new LayerExport(graph, _state);
            string h = x;
            if (Config.Layout == InputLayout.Nhwc)
            {
                h = graph.Node("Transpose", [h], "x_channels_first", OnnxGraph.Ints("perm", 0, 3, 1, 2));
            }

            if (Config.Scale != 1)
            {
                // A division, not a multiplication by 1/scale: the managed model divides, so the values agree exactly.
                h = graph.Node("Div", [h, graph.AddScalar("input_scale", (float)Config.Scale)], "x_scaled");
            }

            h = Sequence(export, _plan.Encoder, _lowering.Encoder, _model.Encoder, h);
            if (oneHot is not null)
            {
                h = graph.Node("Concat", [h, oneHot], "h_one_hot", OnnxGraph.Int("axis", 1));
            }

            string mu = export.Add(_plan.Mu, _lowering.Mu, _model.FcMu, h);
            string logVar = export.Add(_plan.LogVar, _lowering.LogVar, _model.FcLogVar, h);
            return (mu, logVar);
        }

        private string Decode(OnnxGraph graph, string z, string? oneHot)
        {
            var export = new LayerExport(graph, _state);
            string input = oneHot is null ? z : graph.Node("Concat", [z, oneHot], "z_one_hot", OnnxGraph.Int("axis", 1));
            string y = Sequence(export, _plan.Decoder, _lowering.Decoder, _model.Decoder, input);
            if (Config.Reconstruction == ReconstructionTerm.BceLogits)
            {
                y = graph.Node("Sigmoid", [y], "probabilities");
            }

            if (Config.Layout == InputLayout.Nhwc)
            {
                y = graph.Node("Transpose", [y], "channels_last", OnnxGraph.Ints("perm", 0, 2, 3, 1));
            }

            return y;
        }

        private static string Sequence(LayerExport export, IReadOnlyList<LayerPlan> rows, IReadOnlyList<LayerConstruction> lowering, Sequential layers, string input)
        {
            string value = input;
            for (int i = 0; i < rows.Count; i++)
            {
                value = export.Add(rows[i], lowering[i], layers.Children[i].Layer, value);
            }

            return value;
        }

        private ModelProto Model(OnnxGraph graph, string doc)
        {
            var model = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = "VaeGen",
                ProducerVersion = VaeGenVersion,
                DocString = doc,
                Graph = graph.Proto,
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
            Metadata(model, "vaegen.spec", _plan.Spec.Name);
            Metadata(model, "vaegen.version", VaeGenVersion);
            Metadata(model, "vaegen.input_range", "[" + Number(_plan.Spec.Input.RangeMin) + ", " + Number(_plan.Spec.Input.RangeMax) + "]");
            Metadata(model, "vaegen.input_scale", Number(Config.Scale));
            Metadata(model, "vaegen.input_layout", Config.LayoutName);
            Metadata(model, "vaegen.input_shape", "[" + string.Join(", ", InputSample) + "]");
            Metadata(model, "vaegen.latent", Config.LatentDim.ToString(CultureInfo.InvariantCulture));
            Metadata(model, "vaegen.reconstruction", _lowering.Config.Reconstruction.Member);
            if (Config.Classes > 0)
            {
                Metadata(model, "vaegen.classes", Config.Classes.ToString(CultureInfo.InvariantCulture));
            }
            return model;
        }

        private static void Metadata(ModelProto model, string key, string value) =>
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>
        /// The graphs feed the heads the encoder's output (with a condition's K one-hot values after it) and the decoder
        /// z (likewise). A plan whose heads or decoder read anything else would make a graph ONNX Runtime refuses at
        /// load, so it is refused here, naming the layer.
        /// </summary>
        private void CheckDataFlow()
        {
            int classes = _lowering.Config.Classes;
            string withLabels = classes == 0 ? string.Empty : $" and {classes} one-hot label values";
            TensorShape encoded = _plan.Encoder.Count > 0 ? _plan.Encoder[_plan.Encoder.Count - 1].Output : _plan.InputShape;
            if (!encoded.IsFlat || encoded.Dimensions[0] + classes != _plan.Mu.InFeatures)
            {
                throw new OnnxExportException(_plan.Mu.ModuleName,
                    $"{_plan.Mu.ModuleName}: reads {_plan.Mu.InFeatures} features where the encoder gives {encoded}{withLabels}; the graph has nothing else to feed it.");
            }

            TensorShape latent = TensorShape.Flat(_lowering.Config.LatentDim + classes);
            if (_plan.Decoder.Count > 0 && !_plan.Decoder[0].Input.Equals(latent))
            {
                LayerPlan first = _plan.Decoder[0];
                throw new OnnxExportException(first.ModuleName,
                    $"{first.ModuleName}: reads {first.Input} where z is [{_lowering.Config.LatentDim}]{withLabels}; the graph has nothing else to feed it.");
            }
        }

        /// <summary>
        /// The model object must be the plan's: the same runtime layer at every index and the same state
        /// entries with the same shapes, or the graph would pair the plan's structure with other weights.
        /// </summary>
        private void CheckModelMatchesPlan()
        {
            if (Config.Name != _plan.Spec.Name || !Config.InputShape.SequenceEqual(InputShapeOf(_plan)) || Config.LatentDim != _lowering.Config.LatentDim ||
                Config.Classes != _lowering.Config.Classes)
            {
                throw new OnnxExportException(null, $"The model {Config.Name} (input [{string.Join(", ", InputSample)}], latent {Config.LatentDim}, {Config.Classes} classes) is not the spec {_plan.Spec.Name}'s model.");
            }

            CheckLayers(_lowering.Encoder, _model.Encoder);
            CheckLayers(_lowering.Decoder, _model.Decoder);
            CheckLayer(_lowering.Mu, _model.FcMu);
            CheckLayer(_lowering.LogVar, _model.FcLogVar);
            foreach (LayerPlan row in _plan.AllLayers)
            {
                foreach (ParameterTensor tensor in row.Tensors)
                {
                    if (!_state.TryGetValue(tensor.Name, out StateTensor? entry) || !ShapeEquals(entry.Shape, tensor.Shape))
                    {
                        throw new OnnxExportException(row.ModuleName,
                            $"{row.ModuleName}: the spec gives {tensor} but the model has " + (entry is null ? "no such entry" : "shape [" + string.Join(", ", entry.Shape.ToArray()) + "]") + ".");
                    }
                }
            }
        }

        private static int[] InputShapeOf(ModelPlan plan) => Array.ConvertAll(plan.Spec.Input.Shape.ToArray(), d => checked((int)d));

        private static bool ShapeEquals(ReadOnlySpan<int> actual, VaeGen.Spec.Collections.EquatableArray<long> expected)
        {
            if (actual.Length != expected.Count)
            {
                return false;
            }

            for (int i = 0; i < actual.Length; i++)
            {
                if (actual[i] != expected[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static void CheckLayers(IReadOnlyList<LayerConstruction> lowering, Sequential layers)
        {
            if (layers.Children.Count != lowering.Count)
            {
                string stage = lowering.Count > 0 ? lowering[0].ModuleName.Split('.')[0] : "a Sequential";
                throw new OnnxExportException(null, $"The model's {stage} has {layers.Children.Count} layers where its spec lowers to {lowering.Count}.");
            }

            for (int i = 0; i < lowering.Count; i++)
            {
                CheckLayer(lowering[i], layers.Children[i].Layer);
                if (layers.Children[i].Layer is Residual residual)
                {
                    CheckLayers(lowering[i].Body, residual.Body);
                }
            }
        }

        private static void CheckLayer(LayerConstruction c, Layer layer)
        {
            string expected = "VaeGen.Runtime." + c.TypeName;
            if (layer.GetType().FullName != expected)
            {
                throw new OnnxExportException(c.ModuleName, $"{c.ModuleName}: the model has a {layer.GetType().FullName} where its spec lowers to {expected}.");
            }
        }
    }
}

/// <summary>The three ONNX models of one VAE, serialised.</summary>
public sealed class VaeOnnxModels
{
    internal VaeOnnxModels(ModelProto encoder, ModelProto decoder, ModelProto vae)
    {
        Encoder = encoder.ToByteArray();
        Decoder = decoder.ToByteArray();
        Vae = vae.ToByteArray();
    }

    /// <summary><c>encoder.onnx</c>: x -> mu, logvar.</summary>
    public byte[] Encoder { get; }

    /// <summary><c>decoder.onnx</c>: z -> reconstruction.</summary>
    public byte[] Decoder { get; }

    /// <summary><c>vae.onnx</c>: x, eps -> reconstruction, mu, logvar.</summary>
    public byte[] Vae { get; }

    /// <summary>Writes the three files into <paramref name="folder"/> (created if missing), each atomically.</summary>
    /// <param name="folder">The output folder.</param>
    /// <returns>The three paths.</returns>
    public IReadOnlyList<string> Save(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var (file, bytes) in new[] { (VaeOnnx.EncoderFile, Encoder), (VaeOnnx.DecoderFile, Decoder), (VaeOnnx.VaeFile, Vae) })
        {
            string path = Path.Combine(folder, file);
            AtomicFile.Write(path, stream => stream.Write(bytes));
            paths.Add(path);
        }

        return paths;
    }
}
