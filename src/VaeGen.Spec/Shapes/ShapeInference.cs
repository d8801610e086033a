using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Parsing;
using VaeGen.Shapes;

namespace VaeGen.Spec.Shapes
{
    /// <summary>
    /// Walks the encoder, heads and decoder with per-sample shapes, as the runtime would, and reports
    /// every place the runtime would throw. After an error it goes on with the nearest sensible
    /// shape (a spatial size clamped to 1, as the seed walkthrough itself assumes), so one run finds
    /// every independent mistake; when no shape can be guessed, later layers are not checked.
    /// </summary>
    internal sealed class ShapeInference
    {
        private const long MaxElements = int.MaxValue;

        private readonly DiagnosticBag _bag;
        private readonly List<LayerPlan> _rows = new List<LayerPlan>();

        public ShapeInference(DiagnosticBag bag)
        {
            _bag = bag;
        }

        /// <summary>Every row computed, including rows after a failing layer.</summary>
        public IReadOnlyList<LayerPlan> Rows => _rows;

        public ModelPlan? Infer(VaeSpec spec, SpecSyntax syntax)
        {
            var input = TensorShape.Image(spec.Input.Channels, spec.Input.Height, spec.Input.Width);
            if (!FitsElementCount(input, out long inputCount))
            {
                _bag.Report(DiagnosticRules.ElementCountOverflow, syntax.NodeOrRoot("input.shape"), "input.shape",
                    "the input " + TensorShape.Format(spec.Input.Shape) + " has " + Count(inputCount) + " elements per sample, more than 32-bit element counts allow (" + Count(MaxElements) + ")");
                return null;
            }

            int errors = _bag.ErrorCount;
            var encoder = RunStage(spec.Encoder, syntax.Encoder, ModelStage.Encoder, "encoder", input, "the input", out var encoded);
            bool encoderFailed = _bag.ErrorCount > errors;

            long features = 0;
            if (encoded is { } e)
            {
                if (e.IsFlat)
                {
                    features = e.Dimensions[0];
                }
                else if (encoderFailed)
                {
                    // The layer that failed already explains why the shape is off; don't pile on.
                    features = SafeCount(e);
                }
                else
                {
                    var at = syntax.Encoder.Count > 0 ? syntax.Encoder[syntax.Encoder.Count - 1].KindNode : syntax.NodeOrRoot("encoder");
                    string path = syntax.Encoder.Count > 0 ? syntax.Encoder[syntax.Encoder.Count - 1].Path : "encoder";
                    string count = N(SafeCount(e));
                    _bag.Report(DiagnosticRules.EncoderNotFlat, at, path,
                        "the encoder ends with " + e + ", but fc_mu and fc_logvar are linear layers that need a flat vector; add '- flatten' at the end of the encoder (it gives [" + count + "])");
                    features = e.Rank == 0 ? 1 : SafeCount(e);
                }
            }

            // With a condition (spec 1.1) the heads read concat(h, one_hot(y)): F + K features.
            var mu = Head(spec, "fc_mu", features, encoded is not null);
            var logVar = Head(spec, "fc_logvar", features, encoded is not null);
            if (mu is not null && logVar is not null)
            {
                _rows.Add(mu);
                _rows.Add(logVar);
                foreach (var head in new[] { mu, logVar })
                {
                    CheckTensors(head, syntax.NodeOrRoot("latent"), "latent");
                }
            }

            int beforeDecoder = _bag.ErrorCount;
            var decoder = RunStage(spec.Decoder, syntax.Decoder, ModelStage.Decoder, "decoder", TensorShape.Flat(Plus(spec.Latent, spec.Classes)),
                spec.Classes == 0 ? "z" : "concat(z, one_hot(y)), latent " + N(spec.Latent) + " + " + N(spec.Classes) + " classes", out var decoded);
            if (decoded is { } d && !d.Equals(input) && _bag.ErrorCount == beforeDecoder)
            {
                var at = syntax.Decoder.Count > 0 ? syntax.Decoder[syntax.Decoder.Count - 1].KindNode : syntax.NodeOrRoot("decoder");
                string path = syntax.Decoder.Count > 0 ? syntax.Decoder[syntax.Decoder.Count - 1].Path : "decoder";
                _bag.Report(DiagnosticRules.DecoderMismatch, at, path, DescribeDecoderMismatch(spec, d, input));
            }

            if (_bag.ErrorCount > errors || mu is null || logVar is null)
            {
                return null;
            }

            return new ModelPlan(spec, input, encoder.ToEquatableArray(), mu, logVar, decoder.ToEquatableArray());
        }

        private LayerPlan? Head(VaeSpec spec, string name, long features, bool known)
        {
            if (!known || features < 1)
            {
                return null;
            }

            var layer = new LinearSpec("latent", spec.Latent, Bias: true, In: null) { Init = spec.Init };
            long inFeatures = Plus(features, spec.Classes);
            var tensors = EquatableArray.Create(
                new ParameterTensor(name + ".weight", EquatableArray.Create(spec.Latent, inFeatures), false),
                new ParameterTensor(name + ".bias", EquatableArray.Create(spec.Latent), false));
            string role = name == "fc_mu" ? "mu" : "logvar";
            return new LayerPlan(ModelStage.Heads, name, layer, "linear " + N(inFeatures) + "->" + N(spec.Latent) + " (" + role + ")",
                TensorShape.Flat(inFeatures), TensorShape.Flat(spec.Latent), inFeatures, tensors);
        }

        /// <summary>a + b for sizes >= 0, held at long.MaxValue: a size that large is then reported as an element-count overflow instead of throwing here.</summary>
        private static long Plus(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

        private List<LayerPlan> RunStage(EquatableArray<LayerSpec> layers, List<LayerSyntax> syntax, ModelStage stage, string stageName, TensorShape input, string previous, out TensorShape? output)
        {
            var rows = new List<LayerPlan>();
            output = RunLayers(layers, syntax, stage, stageName, input, previous, rows);
            return rows;
        }

        /// <summary>
        /// One Sequential (a stage, or a residual block's body): its rows are named <c>{prefix}.{index}</c>, where the index
        /// counts modules, so a <c>padding: same</c> that expands into a zero_pad2d takes one index more.
        /// </summary>
        private TensorShape? RunLayers(EquatableArray<LayerSpec> layers, List<LayerSyntax> syntax, ModelStage stage, string prefix, TensorShape? input, string previous, List<LayerPlan> rows)
        {
            TensorShape? current = input;
            int index = 0;
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                var where = syntax[i];
                TensorShape? next;
                try
                {
                    if (current is not { } shape)
                    {
                        next = Unknown(layer);
                    }
                    else if (layer is Conv2dSpec { SamePadding: true } same && shape.IsImage)
                    {
                        next = SameConvolution(same, where, shape, stage, prefix, ref index, previous, rows);
                    }
                    else
                    {
                        next = Step(layer, where, shape, stage, Module(prefix, index), previous, rows);
                    }
                }
                catch (OverflowException)
                {
                    _bag.Report(DiagnosticRules.ElementCountOverflow, where.KindNode, where.Path,
                        layer.Keyword + " gets sizes so large that computing its output overflows 64-bit integers; use realistic sizes");
                    next = null;
                }

                if (next is { } produced && !FitsElementCount(produced, out long count))
                {
                    _bag.Report(DiagnosticRules.ElementCountOverflow, where.KindNode, where.Path,
                        layer.Keyword + " outputs " + produced + " per sample, " + Count(count) + " elements, more than 32-bit element counts allow (" + Count(MaxElements) + "); use smaller sizes");
                    next = null;
                }

                current = next;
                index++;
                previous = where.Path.EndsWith(".activation", StringComparison.Ordinal)
                    ? where.Path.Substring(0, where.Path.Length - ".activation".Length)
                    : where.Path;
            }

            return current;
        }

        private static string Module(string prefix, int index) => prefix + "." + index.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// <c>padding: same</c> with TensorFlow's formula: equal padding on both sides of each dimension stays the conv's own
        /// padding (one module, names unchanged); otherwise a zero_pad2d row takes this index and the conv, unpadded, the next.
        /// </summary>
        private TensorShape? SameConvolution(Conv2dSpec conv, LayerSyntax where, TensorShape input, ModelStage stage, string prefix, ref int index, string previous, List<LayerPlan> rows)
        {
            var (top, bottom) = ShapeFormulas.SamePadding(input.Dimensions[1], conv.Kernel.Height, conv.Stride.Height, conv.Dilation.Height);
            var (left, right) = ShapeFormulas.SamePadding(input.Dimensions[2], conv.Kernel.Width, conv.Stride.Width, conv.Dilation.Width);
            if (top == bottom && left == right)
            {
                return Convolution(conv with { Padding = new Model.Size2(top, left), SamePadding = false }, where, input, stage, Module(prefix, index), previous, rows, " (same)");
            }

            var pad = new ZeroPad2dSpec(where.Path + ".padding", left, right, top, bottom);
            var padded = Row(rows, stage, Module(prefix, index), pad, "zero_pad2d " + PadText(pad) + " (padding: same)", input,
                TensorShape.Image(input.Dimensions[0], checked(input.Dimensions[1] + top + bottom), checked(input.Dimensions[2] + left + right)), 0, where);
            index++;
            return Convolution(conv with { Padding = Model.Size2.Square(0), SamePadding = false }, where, padded, stage, Module(prefix, index), previous, rows, " (same)");
        }

        private static string PadText(ZeroPad2dSpec pad) => "[" + N(pad.Left) + ", " + N(pad.Right) + ", " + N(pad.Top) + ", " + N(pad.Bottom) + "]";

        /// <summary>
        /// <c>residual: [...]</c>: the body runs as its own Sequential named <c>{module}.body</c>; its rows come first, then the
        /// block's own row (the sum), which holds them. The block always gives its input's shape back, so the layers after it
        /// are checked even when the body is wrong.
        /// </summary>
        private TensorShape? Residual(ResidualSpec residual, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows)
        {
            var body = new List<LayerPlan>();
            int errors = _bag.ErrorCount;
            var output = RunLayers(residual.Body, where.Body, stage, module + ".body", input, previous, body);
            if (output is { } produced && !produced.Equals(input) && _bag.ErrorCount == errors)
            {
                _bag.Report(DiagnosticRules.ResidualChangesShape, where.KindNode, where.Path,
                    "residual gets " + input + " from " + previous + " but its body gives " + produced + "; x + body(x) needs both shapes equal. " + SumError(input, produced) +
                    " Fix: make the body end with " + input + (input.IsImage && produced.IsImage ? " (same channels, and padding that keeps the size, e.g. kernel 3 with padding: 1 or padding: same at stride 1)" : string.Empty) +
                    ", or move the layers that change the shape out of the residual");
            }

            var plan = new LayerPlan(stage, module, residual, "residual: x + " + module + ".body(x)", input, input, 0, default)
            {
                Body = body.ToEquatableArray(),
            };
            rows.Add(plan);
            _rows.Add(plan);
            return input;
        }

        /// <summary>What PyTorch says about x + body(x) with these per-sample shapes (batch first, broadcast from the right).</summary>
        private static string SumError(TensorShape a, TensorShape b)
        {
            var x = new[] { 2L }.Concat(a.Dimensions).ToArray();
            var y = new[] { 2L }.Concat(b.Dimensions).ToArray();
            int rank = Math.Max(x.Length, y.Length);
            var broadcast = new long[rank];
            for (int i = rank - 1; i >= 0; i--)
            {
                long sizeA = i - (rank - x.Length) >= 0 ? x[i - (rank - x.Length)] : 1;
                long sizeB = i - (rank - y.Length) >= 0 ? y[i - (rank - y.Length)] : 1;
                if (sizeA != sizeB && sizeA != 1 && sizeB != 1)
                {
                    return "PyTorch would throw \"The size of tensor a (" + N(sizeA) + ") must match the size of tensor b (" + N(sizeB) + ") at non-singleton dimension " + i + "\".";
                }

                broadcast[i] = Math.Max(sizeA, sizeB);
            }

            return "PyTorch would broadcast the sum to " + TensorShape.Of(broadcast.Skip(1).ToArray()) + " without an error, which is not a skip connection.";
        }

        /// <summary>After an error no shape is known; only layers that set a shape outright give one back.</summary>
        private static TensorShape? Unknown(LayerSpec layer) => layer switch
        {
            LinearSpec linear => TensorShape.Flat(linear.Out),
            UnflattenSpec unflatten => new TensorShape(unflatten.Shape),
            _ => null,
        };

        private TensorShape? Step(LayerSpec layer, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows)
        {
            switch (layer)
            {
                case Conv2dSpec conv:
                    return Convolution(conv, where, input, stage, module, previous, rows);
                case ConvTranspose2dSpec deconv:
                    return TransposedConvolution(deconv, where, input, stage, module, previous, rows);
                case Pool2dSpec pool:
                    return Pooling(pool, where, input, stage, module, previous, rows);
                case UpsampleSpec upsample:
                    {
                        if (!RequireImage(layer, where, input, previous, null))
                        {
                            return null;
                        }

                        var output = TensorShape.Image(input.Dimensions[0], checked(input.Dimensions[1] * upsample.Scale.Height), checked(input.Dimensions[2] * upsample.Scale.Width));
                        string mode = upsample.Mode == UpsampleMode.Nearest ? "nearest" : "bilinear";
                        return Row(rows, stage, module, layer, "upsample x" + upsample.Scale + " " + mode, input, output, 0, where);
                    }

                case LinearSpec linear:
                    return Linear(linear, where, input, stage, module, previous, rows);
                case BatchNormSpec:
                    {
                        long features = input.Dimensions.Count > 0 ? input.Dimensions[0] : 1;
                        var vector = EquatableArray.Create(features);
                        var tensors = EquatableArray.Create(
                            new ParameterTensor(module + ".weight", vector, false),
                            new ParameterTensor(module + ".bias", vector, false),
                            new ParameterTensor(module + ".running_mean", vector, true),
                            new ParameterTensor(module + ".running_var", vector, true),
                            new ParameterTensor(module + ".num_batches_tracked", EquatableArray<long>.Empty, true));
                        string kind = input.IsImage ? "batchnorm2d " : "batchnorm1d ";
                        return Row(rows, stage, module, layer, kind + N(features), input, input, features, where, tensors);
                    }

                case DropoutSpec dropout:
                    return Row(rows, stage, module, layer, "dropout p=" + SpecParser.Format(dropout.P), input, input, 0, where);
                case FlattenSpec:
                    if (input.IsFlat)
                    {
                        _bag.Report(DiagnosticRules.RedundantFlatten, where.KindNode, where.Path,
                            "flatten gets the flat vector " + input + " from " + previous + " and does nothing; remove it");
                        return Row(rows, stage, module, layer, "flatten", input, input, 0, where);
                    }

                    return Row(rows, stage, module, layer, "flatten", input, TensorShape.Flat(input.ElementCount), 0, where);
                case UnflattenSpec unflatten:
                    return Unflatten(unflatten, where, input, stage, module, previous, rows);
                case ZeroPad2dSpec pad:
                    {
                        if (!RequireImage(layer, where, input, previous, null))
                        {
                            return null;
                        }

                        var output = TensorShape.Image(input.Dimensions[0], checked(input.Dimensions[1] + pad.Top + pad.Bottom), checked(input.Dimensions[2] + pad.Left + pad.Right));
                        return Row(rows, stage, module, layer, "zero_pad2d " + PadText(pad), input, output, 0, where);
                    }

                case ResidualSpec residual:
                    return Residual(residual, where, input, stage, module, previous, rows);
                case ActivationSpec activation:
                    {
                        string text = activation.Kind == ActivationKind.LeakyRelu
                            ? "leaky_relu slope=" + SpecParser.Format(activation.Slope)
                            : activation.Keyword;
                        return Row(rows, stage, module, layer, text, input, input, 0, where);
                    }

                default:
                    throw new InvalidOperationException("Unhandled layer kind " + layer.GetType().Name);
            }
        }

        private TensorShape? Convolution(Conv2dSpec conv, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows, string note = "")
        {
            if (!TryConvolutionInput(conv, where, input, previous, conv.In, "Conv2d", out long channels, out long height, out long width))
            {
                return null;
            }

            long kernelH = ShapeFormulas.EffectiveKernel(conv.Kernel.Height, conv.Dilation.Height);
            long kernelW = ShapeFormulas.EffectiveKernel(conv.Kernel.Width, conv.Dilation.Width);
            long paddedH = checked(height + (2 * conv.Padding.Height));
            long paddedW = checked(width + (2 * conv.Padding.Width));
            long outH = ShapeFormulas.Convolution(height, conv.Kernel.Height, conv.Stride.Height, conv.Padding.Height, conv.Dilation.Height);
            long outW = ShapeFormulas.Convolution(width, conv.Kernel.Width, conv.Stride.Width, conv.Padding.Width, conv.Dilation.Width);
            if (paddedH < kernelH || paddedW < kernelW)
            {
                string runtime = "Calculated padded input size per channel: (" + N(paddedH) + " x " + N(paddedW) + "). Kernel size: (" +
                                 N(kernelH) + " x " + N(kernelW) + "). Kernel size can't be greater than actual input size";
                string dilated = conv.Dilation.Equals(Model.Size2.Square(1)) ? string.Empty : " (dilated to " + N(kernelH) + "x" + N(kernelW) + ")";
                _bag.Report(DiagnosticRules.KernelTooLarge, where.NodeOf("kernel"), where.PathOf("kernel"),
                    "conv2d gets " + input + " from " + previous + "; padded by " + conv.Padding + " that is " + N(paddedH) + "x" + N(paddedW) +
                    ", smaller than the " + conv.Kernel.ToPairString("x") + " kernel" + dilated + ". PyTorch would throw \"" + runtime + "\". Fix: " +
                    ConvFix(height, width, kernelH, kernelW, conv.Padding, conv.Dilation));
                outH = Math.Max(1, outH);
                outW = Math.Max(1, outW);
            }

            var output = TensorShape.Image(conv.Out, outH, outW);
            var tensors = WeightAndBias(module, EquatableArray.Create(conv.Out, channels, conv.Kernel.Height, conv.Kernel.Width), conv.Out, conv.Bias);
            string text = "conv2d " + N(channels) + "->" + N(conv.Out) + ", kernel " + conv.Kernel + ", stride " + conv.Stride + ", padding " + conv.Padding +
                          (conv.Dilation.Equals(Model.Size2.Square(1)) ? string.Empty : ", dilation " + conv.Dilation) + (conv.Bias ? string.Empty : ", no bias") + note;
            return Row(rows, stage, module, conv, text, input, output, channels, where, tensors);
        }

        private TensorShape? TransposedConvolution(ConvTranspose2dSpec deconv, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows)
        {
            if (!TryConvolutionInput(deconv, where, input, previous, deconv.In, "ConvTranspose2d", out long channels, out long height, out long width))
            {
                return null;
            }

            var op = deconv.OutputPadding;
            bool badH = op.Height >= deconv.Stride.Height && op.Height >= deconv.Dilation.Height;
            bool badW = op.Width >= deconv.Stride.Width && op.Width >= deconv.Dilation.Width;
            if (badH || badW)
            {
                string runtime = "output padding must be smaller than either stride or dilation, but got output_padding_height: " + N(op.Height) +
                                 " output_padding_width: " + N(op.Width) + " stride_height: " + N(deconv.Stride.Height) + " stride_width: " + N(deconv.Stride.Width) +
                                 " dilation_height: " + N(deconv.Dilation.Height) + " dilation_width: " + N(deconv.Dilation.Width);
                long largest = Math.Max(Math.Max(deconv.Stride.Height, deconv.Dilation.Height) - 1, 0);
                _bag.Report(DiagnosticRules.OutputPaddingTooLarge, where.NodeOf("output_padding"), where.PathOf("output_padding"),
                    "conv_transpose2d has output_padding " + op + " with stride " + deconv.Stride + " and dilation " + deconv.Dilation +
                    ". PyTorch would throw \"" + runtime + "\". Fix: use output_padding: " + N(largest) + " or less (it only picks among the sizes a stride above 1 makes ambiguous)");
            }

            long outH = ShapeFormulas.TransposedConvolution(height, deconv.Kernel.Height, deconv.Stride.Height, deconv.Padding.Height, op.Height, deconv.Dilation.Height);
            long outW = ShapeFormulas.TransposedConvolution(width, deconv.Kernel.Width, deconv.Stride.Width, deconv.Padding.Width, op.Width, deconv.Dilation.Width);
            if (outH < 1 || outW < 1)
            {
                string runtime = "Given input size per channel: (" + N(height) + " x " + N(width) + "). Calculated output size per channel: (" +
                                 N(outH) + " x " + N(outW) + "). Output size is too small";
                _bag.Report(DiagnosticRules.TransposedOutputTooSmall, where.NodeOf("padding"), where.PathOf("padding"),
                    "conv_transpose2d gets " + input + " from " + previous + " and its padding " + deconv.Padding + " removes more than it produces: output " +
                    N(outH) + "x" + N(outW) + ". PyTorch would throw \"" + runtime + "\". Fix: use less padding or a larger kernel or stride");
                outH = Math.Max(1, outH);
                outW = Math.Max(1, outW);
            }

            var output = TensorShape.Image(deconv.Out, outH, outW);
            var tensors = WeightAndBias(module, EquatableArray.Create(channels, deconv.Out, deconv.Kernel.Height, deconv.Kernel.Width), deconv.Out, deconv.Bias);
            string text = "conv_transpose2d " + N(channels) + "->" + N(deconv.Out) + ", kernel " + deconv.Kernel + ", stride " + deconv.Stride + ", padding " + deconv.Padding +
                          (op.Equals(Model.Size2.Square(0)) ? string.Empty : ", output_padding " + op) +
                          (deconv.Dilation.Equals(Model.Size2.Square(1)) ? string.Empty : ", dilation " + deconv.Dilation) + (deconv.Bias ? string.Empty : ", no bias");
            return Row(rows, stage, module, deconv, text, input, output, channels, where, tensors);
        }

        private TensorShape? Pooling(Pool2dSpec pool, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows)
        {
            if (!RequireImage(pool, where, input, previous, null))
            {
                return null;
            }

            long channels = input.Dimensions[0], height = input.Dimensions[1], width = input.Dimensions[2];
            if (pool.Padding.Height > pool.Kernel.Height / 2 || pool.Padding.Width > pool.Kernel.Width / 2)
            {
                // libtorch 2.10's text (TorchSharp 0.107; tests/VaeGen.TorchSharp.Tests runs it): the first dimension, height then width, that fails.
                bool heightFails = pool.Padding.Height > pool.Kernel.Height / 2;
                string runtime = "pad should be at most half of effective kernel size, but got pad=" + N(heightFails ? pool.Padding.Height : pool.Padding.Width) +
                                 ", kernel_size=" + N(heightFails ? pool.Kernel.Height : pool.Kernel.Width) + " and dilation=1";
                _bag.Report(DiagnosticRules.PoolPaddingTooLarge, where.NodeOf("padding"), where.PathOf("padding"),
                    pool.Keyword + " has padding " + pool.Padding + " with kernel " + pool.Kernel + "; padding may be at most half the kernel. PyTorch would throw \"" +
                    runtime + "\". Fix: use padding: " + N(Math.Min(pool.Kernel.Height, pool.Kernel.Width) / 2) + " or less");
            }

            long outH = ShapeFormulas.Pooling(height, pool.Kernel.Height, pool.Stride.Height, pool.Padding.Height, pool.CeilMode);
            long outW = ShapeFormulas.Pooling(width, pool.Kernel.Width, pool.Stride.Width, pool.Padding.Width, pool.CeilMode);
            long paddedH = checked(height + (2 * pool.Padding.Height));
            long paddedW = checked(width + (2 * pool.Padding.Width));
            if (paddedH < pool.Kernel.Height || paddedW < pool.Kernel.Width || outH < 1 || outW < 1)
            {
                string runtime = outH < 1 || outW < 1
                    ? " PyTorch would throw \"Given input size: (" + N(channels) + "x" + N(height) + "x" + N(width) + "). Calculated output size: (" +
                      N(channels) + "x" + N(outH) + "x" + N(outW) + "). Output size is too small\"."
                    : " (ceil_mode hides it at run time, but the window never fits).";
                _bag.Report(DiagnosticRules.PoolOutputTooSmall, where.NodeOf("kernel"), where.PathOf("kernel"),
                    pool.Keyword + " gets " + input + " from " + previous + "; padded by " + pool.Padding + " that is " + N(paddedH) + "x" + N(paddedW) +
                    ", smaller than its " + pool.Kernel.ToPairString("x") + " window." + runtime +
                    " Fix: remove this pooling layer, use a kernel of at most " + N(Math.Min(paddedH, paddedW)) + ", or downsample less before it");
                outH = Math.Max(1, outH);
                outW = Math.Max(1, outW);
            }

            var output = TensorShape.Image(channels, outH, outW);
            string text = pool.Keyword + " kernel " + pool.Kernel + ", stride " + pool.Stride +
                          (pool.Padding.Equals(Model.Size2.Square(0)) ? string.Empty : ", padding " + pool.Padding) + (pool.CeilMode ? ", ceil_mode" : string.Empty);
            return Row(rows, stage, module, pool, text, input, output, 0, where);
        }

        private TensorShape? Linear(LinearSpec linear, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows)
        {
            long features;
            if (!input.IsFlat)
            {
                features = input.ElementCount;
                long inFeatures = linear.In ?? features;
                long rowsOfBatchOne = input.Rank >= 2 ? checked(input.ElementCount / input.Dimensions[input.Rank - 1]) : 1;
                long last = input.Rank >= 1 ? input.Dimensions[input.Rank - 1] : 1;
                _bag.Report(DiagnosticRules.NeedsFlat, where.KindNode, where.Path,
                    "linear gets " + input + " from " + previous + ", but needs a flat vector; applied to a 4-D batch it multiplies only the last dimension, and PyTorch would throw \"mat1 and mat2 shapes cannot be multiplied (" +
                    N(rowsOfBatchOne) + "x" + N(last) + " and " + N(inFeatures) + "x" + N(linear.Out) + ")\" for a batch of one. Fix: add '- flatten' before it (giving [" + N(features) + "])");
            }
            else
            {
                features = input.Dimensions[0];
                CheckIn(linear, where, linear.In, features, input, previous,
                    "mat1 and mat2 shapes cannot be multiplied (1x" + N(features) + " and " + N(linear.In ?? 0) + "x" + N(linear.Out) + ")");
            }

            var tensors = WeightAndBias(module, EquatableArray.Create(linear.Out, features), linear.Out, linear.Bias);
            string text = "linear " + N(features) + "->" + N(linear.Out) + (linear.Bias ? string.Empty : ", no bias");
            return Row(rows, stage, module, linear, text, input, TensorShape.Flat(linear.Out), features, where, tensors);
        }

        private TensorShape? Unflatten(UnflattenSpec unflatten, LayerSyntax where, TensorShape input, ModelStage stage, string module, string previous, List<LayerPlan> rows)
        {
            var target = new TensorShape(unflatten.Shape);
            long targetCount = target.ElementCount;
            if (!input.IsFlat)
            {
                _bag.Report(DiagnosticRules.NeedsFlat, where.KindNode, where.Path,
                    "unflatten gets " + input + " from " + previous + ", but reshapes a flat vector; PyTorch would throw \"unflatten: Provided sizes " + target +
                    " don't multiply up to the size of dim 1 (" + N(input.Dimensions.Count > 0 ? input.Dimensions[0] : 1) + ") in the input tensor\". Fix: add '- flatten' before it, or remove the unflatten");
            }
            else if (input.Dimensions[0] != targetCount)
            {
                long n = input.Dimensions[0];
                _bag.Report(DiagnosticRules.UnflattenMismatch, where.NodeOf("shape"), where.Path,
                    "unflatten to " + target + " needs " + N(targetCount) + " elements, but gets " + N(n) + " from " + previous +
                    ". PyTorch would throw \"unflatten: Provided sizes " + target + " don't multiply up to the size of dim 1 (" + N(n) +
                    ") in the input tensor\". Fix: make the layer before output " + N(targetCount) + " features, or choose [C, H, W] with C*H*W = " + N(n));
            }

            return Row(rows, stage, module, unflatten, "unflatten " + target, input, target, 0, where);
        }

        /// <summary>The [C, H, W] input of a convolution, its declared <c>in</c> checked; false (reported) when the input is not an image.</summary>
        private bool TryConvolutionInput(LayerSpec layer, LayerSyntax where, TensorShape input, string previous, long? declaredIn, string torchName, out long channels, out long height, out long width)
        {
            channels = height = width = 0;
            if (!RequireImage(layer, where, input, previous, declaredIn))
            {
                return false;
            }

            channels = input.Dimensions[0];
            height = input.Dimensions[1];
            width = input.Dimensions[2];
            CheckIn(layer, where, declaredIn, channels, input, previous,
                "Expected 3D (unbatched) or 4D (batched) input with " + N(declaredIn ?? 0) + " channels to " + torchName + ".");
            return true;
        }

        private bool RequireImage(LayerSpec layer, LayerSyntax where, TensorShape input, string previous, long? inChannels)
        {
            if (input.IsImage)
            {
                return true;
            }

            string module = layer switch
            {
                Conv2dSpec => "Conv2d",
                ConvTranspose2dSpec => "ConvTranspose2d",
                _ => string.Empty,
            };
            string runtime = layer is ZeroPad2dSpec
                ? " zero_pad2d pads the last two dimensions of a (B, C, H, W) batch; on the 2-D batch (B, " + (input.IsFlat ? N(input.Dimensions[0]) : "N") + ") it would pad the batch dimension instead."
                : module.Length > 0
                ? " TorchSharp would throw \"Expected 3D (unbatched) or 4D (batched) input with " + (inChannels.HasValue ? N(inChannels.Value) : "C") + " channels to " + module + ".\"."
                : " At run time the 2-D batch (B, " + (input.IsFlat ? N(input.Dimensions[0]) : "N") + ") would be rejected: " + layer.Keyword + " works on 4-D (B, C, H, W) tensors.";
            string suggestion = input.IsFlat ? " Fix: add '- unflatten: [C, H, W]' before it, with C*H*W = " + N(input.Dimensions[0]) : " Fix: give it a [C, H, W] input";
            _bag.Report(DiagnosticRules.NeedsImage, where.KindNode, where.Path,
                layer.Keyword + " needs [C, H, W] but gets " + (input.IsFlat ? "the flat vector " : string.Empty) + input + " from " + previous + "." + runtime + suggestion);
            return false;
        }

        private void CheckIn(LayerSpec layer, LayerSyntax where, long? declared, long actual, TensorShape input, string previous, string runtime)
        {
            if (declared is { } value && value != actual)
            {
                string unit = layer is LinearSpec ? "features" : "channels";
                _bag.Report(DiagnosticRules.InMismatch, where.NodeOf("in"), where.PathOf("in"),
                    layer.Keyword + " declares in: " + N(value) + " but gets " + N(actual) + " " + unit + " (" + input + " from " + previous + "). The runtime would throw \"" +
                    runtime + "\". Fix: write in: " + N(actual) + ", or remove 'in' (it is only a cross-check)");
            }
        }

        private TensorShape Row(List<LayerPlan> rows, ModelStage stage, string module, LayerSpec layer, string text, TensorShape input, TensorShape output, long inFeatures, LayerSyntax where, EquatableArray<ParameterTensor> tensors = default)
        {
            var plan = new LayerPlan(stage, module, layer, text, input, output, inFeatures, tensors);
            CheckTensors(plan, where.KindNode, where.Path);
            rows.Add(plan);
            _rows.Add(plan);
            return output;
        }

        private void CheckTensors(LayerPlan plan, Yaml.YamlNode node, string path)
        {
            foreach (var tensor in plan.Tensors)
            {
                long count = SafeCount(new TensorShape(tensor.Shape));
                if (count > MaxElements)
                {
                    _bag.Report(DiagnosticRules.ElementCountOverflow, node, path,
                        "the parameter " + tensor + " would have " + Count(count) + " elements, more than 32-bit element counts allow (" + Count(MaxElements) + "); use smaller sizes");
                    return;
                }
            }
        }

        private static EquatableArray<ParameterTensor> WeightAndBias(string module, EquatableArray<long> weight, long outputs, bool bias) =>
            bias
                ? EquatableArray.Create(new ParameterTensor(module + ".weight", weight, false), new ParameterTensor(module + ".bias", EquatableArray.Create(outputs), false))
                : EquatableArray.Create(new ParameterTensor(module + ".weight", weight, false));

        private static string ConvFix(long height, long width, long kernelH, long kernelW, Model.Size2 padding, Model.Size2 dilation)
        {
            long needH = Math.Max(padding.Height, CeilHalf(kernelH - height));
            long needW = Math.Max(padding.Width, CeilHalf(kernelW - width));
            string pad = needH == needW ? N(needH) : "[" + N(needH) + ", " + N(needW) + "]";
            long fitH = ((height + (2 * padding.Height) - 1) / dilation.Height) + 1;
            long fitW = ((width + (2 * padding.Width) - 1) / dilation.Width) + 1;
            return "use padding: " + pad + ", a kernel of at most " + N(Math.Min(fitH, fitW)) + ", or downsample less before this layer";
        }

        private static long CeilHalf(long value) => value <= 0 ? 0 : (value + 1) / 2;

        private static bool FitsElementCount(TensorShape shape, out long count)
        {
            count = SafeCount(shape);
            return count <= MaxElements;
        }

        private static long SafeCount(TensorShape shape)
        {
            try
            {
                return shape.ElementCount;
            }
            catch (OverflowException)
            {
                return long.MaxValue;
            }
        }

        private static string DescribeDecoderMismatch(VaeSpec spec, TensorShape decoded, TensorShape input)
        {
            string text = "the decoder ends with " + decoded + ", but must reproduce the input's channels-first shape " + input;
            if (decoded.IsImage && IsPermutation(decoded, input))
            {
                text += "; the shapes are a permutation of each other, so the channel order is mixed up (the model works channels-first, [C, H, W], whatever input.layout says)";
                return text + ". Fix: make the decoder end with " + input + " (e.g. unflatten: " + input + ")";
            }

            if (decoded.IsFlat && decoded.Dimensions[0] == SafeCount(input))
            {
                return text + ". Fix: add '- unflatten: " + input + "' at the end of the decoder";
            }

            if (decoded.IsImage && decoded.Dimensions[1] == input.Dimensions[1] && decoded.Dimensions[2] == input.Dimensions[2])
            {
                return text + ". Fix: give the last layer out: " + N(input.Dimensions[0]) + " (the input's channels)";
            }

            return text + ". Fix: change the decoder's last layers to produce " + input +
                   (spec.Input.Layout == InputLayout.Nhwc ? " (channels first even though input.layout is nhwc)" : string.Empty);
        }

        private static bool IsPermutation(TensorShape a, TensorShape b)
        {
            var x = a.Dimensions.ToArray();
            var y = b.Dimensions.ToArray();
            Array.Sort(x);
            Array.Sort(y);
            return x.Length == y.Length && ((IStructuralEquatable)x).Equals(y, EqualityComparer<long>.Default);
        }


        private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Count(long value) => value == long.MaxValue ? "more than 9.2e18" : value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
