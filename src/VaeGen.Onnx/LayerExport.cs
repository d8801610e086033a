using System;
using System.Collections.Generic;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Lowering;
using VaeGen.Spec.Shapes;

namespace VaeGen.Onnx;

/// <summary>
/// One lowered layer (<see cref="LayerConstruction"/>, the description the managed emitter renders and
/// VaeGen.Builder interprets) as ONNX nodes, in inference mode: batchnorm with its running statistics,
/// dropout as the identity. Arguments come from the lowering, weights from the model's state dict under
/// PyTorch's names, shapes from the checked plan. A construction ONNX cannot express exactly is an
/// <see cref="OnnxExportException"/> naming the layer, never an approximate graph.
/// </summary>
internal sealed class LayerExport
{
    private readonly OnnxGraph _graph;
    private readonly IReadOnlyDictionary<string, StateTensor> _state;

    public LayerExport(OnnxGraph graph, IReadOnlyDictionary<string, StateTensor> state)
    {
        _graph = graph;
        _state = state;
    }

    /// <summary>Adds the nodes of one layer reading <paramref name="input"/> (channels first); returns its output's name.</summary>
    /// <param name="row">The plan's row: module name and per-sample shapes.</param>
    /// <param name="c">The row's lowering.</param>
    /// <param name="layer">The model's layer object (already checked to be the lowering's runtime type).</param>
    /// <param name="input">The value the layer reads.</param>
    public string Add(LayerPlan row, LayerConstruction c, Layer layer, string input)
    {
        string name = c.ModuleName;
        switch (c.Kind)
        {
            case RuntimeLayerKind.Conv2d:
                return _graph.Node("Conv", WeightAndBias(name, c.Bool("bias"), input), name, ConvolutionAttributes(c));

            case RuntimeLayerKind.ConvTranspose2d:
            {
                // PyTorch's weight layout (in, out, kh, kw) is ONNX's (C, M/group, kh, kw); output_padding
                // is added to the bottom/right as in PyTorch's output-size formula.
                var (oh, ow) = c.Size("outputPadding");
                return _graph.Node("ConvTranspose", WeightAndBias(name, c.Bool("bias"), input), name,
                    [.. ConvolutionAttributes(c), OnnxGraph.Ints("output_padding", oh, ow)]);
            }

            case RuntimeLayerKind.MaxPool2d:
            case RuntimeLayerKind.AvgPool2d:
                return Pool(row, c, input);

            case RuntimeLayerKind.Upsample:
                return Upsample(c, input);

            case RuntimeLayerKind.Linear:
                return _graph.Node("Gemm", WeightAndBias(name, c.Bool("bias"), input), name, OnnxGraph.Int("transB", 1));

            case RuntimeLayerKind.BatchNorm1d:
            case RuntimeLayerKind.BatchNorm2d:
            {
                // ONNX BatchNormalization takes (N, C) and (N, C, H, W) alike; inference uses the running statistics.
                var batchNorm = (BatchNorm)layer;
                string[] inputs = [input, Weight(name + ".weight"), Weight(name + ".bias"), Weight(name + ".running_mean"), Weight(name + ".running_var")];
                return _graph.Node("BatchNormalization", inputs, name, OnnxGraph.Float("epsilon", (float)batchNorm.Eps));
            }

            case RuntimeLayerKind.Dropout:
                // Inference: the identity, as PyTorch's eval() and torch.onnx.export give.
                return input;

            case RuntimeLayerKind.Flatten:
                return _graph.Node("Flatten", [input], name, OnnxGraph.Int("axis", 1));

            case RuntimeLayerKind.Unflatten:
            {
                if (c.Int("dim") != 1)
                {
                    throw Unsupported(row, "unflatten along dimension " + c.Int("dim") + " (only the features after the batch are unflattened)");
                }

                // 0 copies the batch dimension, so the graph keeps a dynamic batch.
                var shape = new List<long> { 0 };
                foreach (int size in c.Ints("sizes"))
                {
                    shape.Add(size);
                }

                return _graph.Node("Reshape", [input, _graph.AddInt64s(name + ".shape", [.. shape])], name);
            }

            case RuntimeLayerKind.ReLU:
                return _graph.Node("Relu", [input], name);
            case RuntimeLayerKind.Sigmoid:
                return _graph.Node("Sigmoid", [input], name);
            case RuntimeLayerKind.Tanh:
                return _graph.Node("Tanh", [input], name);
            case RuntimeLayerKind.ELU:
                // The runtime's ELU is PyTorch's nn.ELU() with alpha 1; the lowering passes none.
                return _graph.Node("Elu", [input], name, OnnxGraph.Float("alpha", 1f));
            case RuntimeLayerKind.LeakyReLU:
                return _graph.Node("LeakyRelu", [input], name, OnnxGraph.Float("alpha", c.Float("negativeSlope")));
            case RuntimeLayerKind.SiLU:
                return _graph.Node("Mul", [input, _graph.Node("Sigmoid", [input], name + ".sigmoid")], name);
            case RuntimeLayerKind.GELU:
            {
                // Opset 17 has no Gelu (it arrives in opset 20): PyTorch's exact form 0.5 x (1 + erf(x / sqrt 2)).
                string scaled = _graph.Node("Div", [input, _graph.AddScalar(name + ".sqrt2", MathF.Sqrt(2f))], name + ".scaled");
                string erf = _graph.Node("Erf", [scaled], name + ".erf");
                string onePlus = _graph.Node("Add", [erf, _graph.AddScalar(name + ".one", 1f)], name + ".one_plus");
                string times = _graph.Node("Mul", [input, onePlus], name + ".times");
                return _graph.Node("Mul", [times, _graph.AddScalar(name + ".half", 0.5f)], name);
            }

            case RuntimeLayerKind.ZeroPad2d:
            {
                // ONNX's pads list every axis's begin, then every axis's end: (N, C, top, left), (N, C, bottom, right).
                long[] pads = [0, 0, c.Int("top"), c.Int("left"), 0, 0, c.Int("bottom"), c.Int("right")];
                return _graph.Node("Pad", [input, _graph.AddInt64s(name + ".pads", pads)], name, OnnxGraph.String("mode", "constant"));
            }

            case RuntimeLayerKind.Residual:
            {
                // x + body(x); the body's rows, lowering and layers are nested exactly as the block's.
                var body = ((Residual)layer).Body;
                string value = input;
                for (int i = 0; i < c.Body.Count; i++)
                {
                    value = Add(row.Body[i], c.Body[i], body.Children[i].Layer, value);
                }

                return _graph.Node("Add", [input, value], name);
            }

            default:
                throw Unsupported(row, "the layer kind " + c.Kind + " (" + c.TypeName + ") has no ONNX export yet");
        }
    }

    /// <summary>What Conv and ConvTranspose share, as the runtime's Convolution base holds it for Conv2d and ConvTranspose2d.</summary>
    private static global::Onnx.AttributeProto[] ConvolutionAttributes(LayerConstruction c)
    {
        var (kh, kw) = c.Size("kernelSize");
        var (sh, sw) = c.Size("stride");
        var (ph, pw) = c.Size("padding");
        var (dh, dw) = c.Size("dilation");
        return [OnnxGraph.Ints("kernel_shape", kh, kw), OnnxGraph.Ints("strides", sh, sw), OnnxGraph.Ints("pads", ph, pw, ph, pw),
            OnnxGraph.Ints("dilations", dh, dw), OnnxGraph.Int("group", 1)];
    }

    private string Pool(LayerPlan row, LayerConstruction c, string input)
    {
        var (kh, kw) = c.Size("kernelSize");
        var (sh, sw) = c.Size("stride");
        var (ph, pw) = c.Size("padding");
        bool max = c.Kind == RuntimeLayerKind.MaxPool2d;

        // PyTorch's ceil_mode drops a last window that would start in the right padding; ONNX 1.12's
        // formula keeps it. Pick the ONNX mode whose output size equals PyTorch's (the plan's) on both axes:
        // where floor and PyTorch's ceil agree, every window is whole and ceil_mode does not matter.
        long outH = row.Output.Dimensions[1], outW = row.Output.Dimensions[2];
        long inH = row.Input.Dimensions[1], inW = row.Input.Dimensions[2];
        bool floorFits = outH == OnnxPoolSize(inH, kh, sh, ph, ceil: false) && outW == OnnxPoolSize(inW, kw, sw, pw, ceil: false);
        bool ceilFits = outH == OnnxPoolSize(inH, kh, sh, ph, ceil: true) && outW == OnnxPoolSize(inW, kw, sw, pw, ceil: true);
        if (!floorFits && !ceilFits)
        {
            throw Unsupported(row, $"{(max ? "maxpool2d" : "avgpool2d")} with ceil_mode whose output {outH}x{outW} no ONNX ceil_mode gives (PyTorch drops a last window that starts in the padding on one axis only)");
        }

        var attributes = new List<global::Onnx.AttributeProto>
        {
            OnnxGraph.Ints("kernel_shape", kh, kw), OnnxGraph.Ints("strides", sh, sw), OnnxGraph.Ints("pads", ph, pw, ph, pw),
            OnnxGraph.Int("ceil_mode", floorFits ? 0 : 1),
        };
        if (!max)
        {
            // PyTorch's AvgPool2d default: zero padding counts in the divisor.
            attributes.Add(OnnxGraph.Int("count_include_pad", 1));
        }

        return _graph.Node(max ? "MaxPool" : "AveragePool", [input], c.ModuleName, [.. attributes]);
    }

    /// <summary>ONNX 1.12's pooling output size (dilation 1).</summary>
    private static long OnnxPoolSize(long input, int kernel, int stride, int padding, bool ceil)
    {
        long span = input + (2L * padding) - kernel;
        return span < 0 ? 0 : (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    }

    private string Upsample(LayerConstruction c, string input)
    {
        double scaleH = c.Double("scaleH"), scaleW = c.Double("scaleW");
        bool nearest = c.Enum("mode").Member == "Nearest";
        string name = c.ModuleName;
        string scales = _graph.AddFloats(name + ".scales", [4], [1f, 1f, (float)scaleH, (float)scaleW]);

        // PyTorch with a scale factor maps output x to input x / scale: nearest floors it (ONNX "asymmetric"
        // with nearest_mode floor); bilinear with align_corners=False is (x + 0.5) / scale - 0.5 ("half_pixel").
        global::Onnx.AttributeProto[] attributes = nearest
            ? [OnnxGraph.String("mode", "nearest"), OnnxGraph.String("coordinate_transformation_mode", "asymmetric"), OnnxGraph.String("nearest_mode", "floor")]
            : [OnnxGraph.String("mode", "linear"), OnnxGraph.String("coordinate_transformation_mode", "half_pixel")];
        return _graph.Node("Resize", [input, string.Empty, scales], name, attributes);
    }

    private string[] WeightAndBias(string module, bool bias, string input) =>
        bias ? [input, Weight(module + ".weight"), Weight(module + ".bias")] : [input, Weight(module + ".weight")];

    /// <summary>The state dict entry <paramref name="name"/> as an initializer of the same name.</summary>
    private string Weight(string name)
    {
        if (!_state.TryGetValue(name, out StateTensor? tensor) || tensor.Float32 is null)
        {
            throw new OnnxExportException(name[..name.LastIndexOf('.')], "The model has no float32 state entry " + name + " that its spec's lowering needs.");
        }

        return _graph.AddFloats(name, tensor.Shape, tensor.Float32);
    }

    private static OnnxExportException Unsupported(LayerPlan row, string what) =>
        new(row.ModuleName, row.ModuleName + " (" + row.Description + "): cannot be exported to ONNX opset " + VaeOnnx.OpsetVersion + ": " + what + ".");
}
