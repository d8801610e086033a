using System.Collections.Generic;
using System.Linq;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Yaml;

namespace VaeGen.Spec.Parsing
{
    /// <summary>
    /// Parses encoder and decoder lists. A layer is a bare word (<c>- relu</c>) or a one-key map
    /// (<c>- conv2d: {out: 32, kernel: 3}</c>); an <c>activation:</c> shorthand becomes its own layer,
    /// so the resulting list has PyTorch's Sequential indices.
    /// </summary>
    internal sealed class LayerParser
    {
        private static readonly string[] ConvKeys = { "out", "kernel", "stride", "padding", "dilation", "bias", "activation", "in", "init" };
        private static readonly string[] ConvTransposeKeys = { "out", "kernel", "stride", "padding", "output_padding", "dilation", "bias", "activation", "in", "init" };
        private static readonly string[] PoolKeys = { "kernel", "stride", "padding", "ceil_mode" };
        private static readonly string[] UpsampleKeys = { "scale", "mode" };
        private static readonly string[] LinearKeys = { "out", "bias", "activation", "in", "init" };
        private static readonly string[] DropoutKeys = { "p" };
        private static readonly string[] LeakyReluKeys = { "slope" };
        internal static readonly (string, UpsampleMode)[] UpsampleModes = { ("nearest", UpsampleMode.Nearest), ("bilinear", UpsampleMode.Bilinear) };

        /// <summary>
        /// The parameter keys of each layer kind that takes a parameter map; the other kinds take none
        /// (unflatten takes a list). schema/vae.schema.json is tested against this table.
        /// </summary>
        internal static readonly IReadOnlyDictionary<string, string[]> ParameterKeys = new Dictionary<string, string[]>
        {
            ["conv2d"] = ConvKeys,
            ["conv_transpose2d"] = ConvTransposeKeys,
            ["maxpool2d"] = PoolKeys,
            ["avgpool2d"] = PoolKeys,
            ["upsample"] = UpsampleKeys,
            ["linear"] = LinearKeys,
            ["dropout"] = DropoutKeys,
            ["leaky_relu"] = LeakyReluKeys,
        };

        /// <summary>Every layer keyword of spec v1 and v1.1 (zero_pad2d, residual).</summary>
        internal static readonly string[] LayerKinds =
        {
            "conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "upsample", "linear", "batchnorm", "dropout",
            "flatten", "unflatten", "relu", "sigmoid", "tanh", "gelu", "silu", "elu", "leaky_relu", "zero_pad2d", "residual",
        };

        /// <summary>The word that asks conv2d for TensorFlow's "same" padding (spec 1.1).</summary>
        internal const string SamePadding = "same";

        private readonly DiagnosticBag _bag;
        private readonly ScalarReader _read;
        private readonly InitScheme _defaultInit;

        /// <param name="defaultInit">The spec's top-level <c>init:</c>, which a layer without its own takes.</param>
        public LayerParser(DiagnosticBag bag, ScalarReader read, InitScheme defaultInit)
        {
            _bag = bag;
            _read = read;
            _defaultInit = defaultInit;
        }

        public void ParseList(YamlNode node, string stage, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            if (node is not YamlSequence list)
            {
                if (node is YamlScalar s && s.IsNull)
                {
                    _bag.Report(DiagnosticRules.WrongNodeKind, node, stage, stage + " must be a list of layers, but it is empty; write the layers as '- kind: {...}' lines under it");
                }
                else
                {
                    _bag.Report(DiagnosticRules.WrongNodeKind, node, stage, stage + " must be a list of layers ('- conv2d: {...}'), but is " + node.Describe());
                }

                return;
            }

            for (int i = 0; i < list.Items.Count; i++)
            {
                ParseLayer(list.Items[i], stage + "[" + i + "]", layers, syntax);
            }
        }

        /// <summary>
        /// <c>- residual: [layer, ...]</c>: a non-empty list of layers parsed like a stage (nesting allowed;
        /// the YAML reader's depth limit bounds it), whose expanded entries are the body's Sequential indices.
        /// </summary>
        private void ParseResidual(YamlScalar kindNode, YamlNode? parameters, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            if (parameters is null || (parameters is YamlScalar s && s.IsNull) || (parameters is YamlSequence empty && empty.Items.Count == 0))
            {
                _bag.Report(DiagnosticRules.MalformedLayer, parameters is YamlSequence ? parameters : kindNode, path,
                    "residual needs a non-empty body: write '- residual: [ conv2d: { out: 32, kernel: 3, padding: 1 }, relu ]' (output = x + body(x))");
                return;
            }

            if (parameters is not YamlSequence list)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, parameters, path,
                    "residual takes its body as a list of layers, '- residual: [ conv2d: {...}, relu ]', but got " + parameters.Describe());
                return;
            }

            int errors = _bag.ErrorCount;
            var body = new List<LayerSpec>();
            var bodySyntax = new LayerSyntax(kindNode, path, new Dictionary<string, YamlNode> { ["body"] = parameters });
            for (int i = 0; i < list.Items.Count; i++)
            {
                ParseLayer(list.Items[i], path + "[" + i + "]", body, bodySyntax.Body);
            }

            if (_bag.ErrorCount == errors)
            {
                Add(new ResidualSpec(path, body.ToEquatableArray()), bodySyntax, layers, syntax);
            }
        }

        /// <summary><c>zero_pad2d: p</c> (all four sides) or <c>zero_pad2d: [left, right, top, bottom]</c>, each >= 0.</summary>
        private void ParseZeroPad(YamlScalar kindNode, YamlNode? parameters, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            if (parameters is null || (parameters is YamlScalar s && s.IsNull))
            {
                _bag.Report(DiagnosticRules.MalformedLayer, kindNode, path,
                    "zero_pad2d needs the padding: write '- zero_pad2d: 1' (all four sides) or '- zero_pad2d: [left, right, top, bottom]'");
                return;
            }

            var sides = new long[4];
            bool ok = true;
            if (parameters is YamlSequence list)
            {
                if (list.Items.Count != 4)
                {
                    _bag.Report(DiagnosticRules.WrongNodeKind, parameters, path,
                        "zero_pad2d takes one integer or four, [left, right, top, bottom] (PyTorch nn.ZeroPad2d's order), but the list has " + list.Items.Count + " items");
                    return;
                }

                for (int i = 0; i < 4; i++)
                {
                    ok &= _read.TryReadInt(list.Items[i], path + "[" + i + "]", 0, out sides[i]);
                }
            }
            else if (parameters is YamlScalar)
            {
                ok = _read.TryReadInt(parameters, path, 0, out long all);
                sides[0] = sides[1] = sides[2] = sides[3] = all;
            }
            else
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, parameters, path,
                    "zero_pad2d takes one integer or a list [left, right, top, bottom], but got " + parameters.Describe());
                return;
            }

            if (ok)
            {
                var nodes = new Dictionary<string, YamlNode> { ["padding"] = parameters };
                Add(new ZeroPad2dSpec(path, sides[0], sides[1], sides[2], sides[3]), new LayerSyntax(kindNode, path, nodes), layers, syntax);
            }
        }

        private void ParseLayer(YamlNode item, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            YamlScalar kindNode;
            YamlNode? parameters;
            switch (item)
            {
                case YamlScalar word when !word.IsNull:
                    kindNode = word;
                    parameters = null;
                    break;
                case YamlMapping map when map.Entries.Count == 1:
                    kindNode = map.Entries[0].Key;
                    parameters = map.Entries[0].Value;
                    break;
                case YamlMapping map:
                    {
                        string keys = string.Join(", ", map.Entries.Select(e => e.Key.Value));
                        string hint = map.Entries.Count > 1 && LayerKinds.Contains(map.Entries[0].Key.Value)
                            ? "; indent the parameters under '" + map.Entries[0].Key.Value + ":' or write them in braces, '" + map.Entries[0].Key.Value + ": { ... }'"
                            : "; write a layer as '- relu' or '- conv2d: { out: 32, kernel: 3 }'";
                        _bag.Report(DiagnosticRules.MalformedLayer, map.Entries.Count > 0 ? map.Entries[0].Key : (YamlNode)map, path,
                            "a layer is a one-key map 'kind: {params}', but this map has " + map.Entries.Count + " keys (" + keys + ")" + hint);
                        return;
                    }

                default:
                    _bag.Report(DiagnosticRules.MalformedLayer, item, path,
                        "a layer is a word ('- relu') or a one-key map ('- conv2d: { out: 32, kernel: 3 }'), but this is " + item.Describe());
                    return;
            }

            string kind = kindNode.Value;
            string layerPath = path + "." + kind;
            switch (kind)
            {
                case "conv2d":
                    ParseConv(kindNode, parameters, layerPath, transposed: false, layers, syntax);
                    break;
                case "conv_transpose2d":
                    ParseConv(kindNode, parameters, layerPath, transposed: true, layers, syntax);
                    break;
                case "maxpool2d":
                case "avgpool2d":
                    ParsePool(kindNode, parameters, layerPath, kind == "maxpool2d" ? PoolKind.Max : PoolKind.Average, layers, syntax);
                    break;
                case "upsample":
                    ParseUpsample(kindNode, parameters, layerPath, layers, syntax);
                    break;
                case "linear":
                    ParseLinear(kindNode, parameters, layerPath, layers, syntax);
                    break;
                case "batchnorm":
                    if (NoParameters(kindNode, parameters, layerPath, "batchnorm infers its features from the incoming shape"))
                    {
                        Add(new BatchNormSpec(layerPath), new LayerSyntax(kindNode, layerPath, Empty), layers, syntax);
                    }

                    break;
                case "flatten":
                    if (NoParameters(kindNode, parameters, layerPath, "flatten always flattens [C, H, W] to [C*H*W]"))
                    {
                        Add(new FlattenSpec(layerPath), new LayerSyntax(kindNode, layerPath, Empty), layers, syntax);
                    }

                    break;
                case "dropout":
                    ParseDropout(kindNode, parameters, layerPath, layers, syntax);
                    break;
                case "unflatten":
                    ParseUnflatten(kindNode, parameters, layerPath, layers, syntax);
                    break;
                case "zero_pad2d":
                    ParseZeroPad(kindNode, parameters, layerPath, layers, syntax);
                    break;
                case "residual":
                    ParseResidual(kindNode, parameters, layerPath, layers, syntax);
                    break;
                default:
                    if (TryActivationKind(kind, out var activation))
                    {
                        ParseActivation(kindNode, parameters, layerPath, activation, layers, syntax);
                    }
                    else
                    {
                        _bag.Report(DiagnosticRules.UnknownLayer, kindNode, path,
                            "unknown layer kind '" + kind + "'" + NameSuggester.Hint(kind, LayerKinds) + " (layer kinds: " + string.Join(", ", LayerKinds) + ")");
                    }

                    break;
            }
        }

        private void ParseConv(YamlScalar kindNode, YamlNode? parameters, string path, bool transposed, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            var p = ReadParameters(kindNode, parameters, path, transposed ? ConvTransposeKeys : ConvKeys, "out", "kernel");
            if (p is null)
            {
                return;
            }

            bool ok = _read.TryReadInt(p["out"], path + ".out", 1, out long outChannels);
            ok &= _read.TryReadSize2(p["kernel"], path + ".kernel", 1, out var kernel);
            var stride = Size2.Square(1);
            var padding = Size2.Square(0);
            var outputPadding = Size2.Square(0);
            var dilation = Size2.Square(1);
            bool bias = true;
            bool same = false;
            ok &= !p.TryGetValue("stride", out var n) || _read.TryReadSize2(n, path + ".stride", 1, out stride);
            if (p.TryGetValue("padding", out n) && IsSame(n))
            {
                if (transposed)
                {
                    ReportSameOutsideConv(n, path, "conv_transpose2d");
                    ok = false;
                }

                same = true;
            }
            else
            {
                ok &= !p.TryGetValue("padding", out n) || _read.TryReadSize2(n, path + ".padding", 0, out padding);
            }

            ok &= !p.TryGetValue("output_padding", out n) || _read.TryReadSize2(n, path + ".output_padding", 0, out outputPadding);
            ok &= !p.TryGetValue("dilation", out n) || _read.TryReadSize2(n, path + ".dilation", 1, out dilation);
            ok &= !p.TryGetValue("bias", out n) || _read.TryReadBool(n, path + ".bias", out bias);
            ok &= TryReadInAndActivation(p, path, out long? inChannels, out var activation, out var activationSyntax);
            ok &= TryReadInit(p, path, out var init);
            if (!ok)
            {
                return;
            }

            LayerSpec layer = transposed
                ? new ConvTranspose2dSpec(path, outChannels, kernel, stride, padding, outputPadding, dilation, bias, inChannels) { Init = init }
                : new Conv2dSpec(path, outChannels, kernel, stride, padding, dilation, bias, inChannels, same) { Init = init };
            Add(layer, new LayerSyntax(kindNode, path, p), layers, syntax);
            AddActivation(activation, activationSyntax, layers, syntax);
        }

        private void ParsePool(YamlScalar kindNode, YamlNode? parameters, string path, PoolKind kind, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            var p = ReadParameters(kindNode, parameters, path, PoolKeys, "kernel");
            if (p is null)
            {
                return;
            }

            bool ok = _read.TryReadSize2(p["kernel"], path + ".kernel", 1, out var kernel);
            var stride = kernel;
            var padding = Size2.Square(0);
            bool ceilMode = false;
            ok &= !p.TryGetValue("stride", out var n) || _read.TryReadSize2(n, path + ".stride", 1, out stride);
            if (p.TryGetValue("padding", out n) && IsSame(n))
            {
                ReportSameOutsideConv(n, path, kindNode.Value);
                ok = false;
            }
            else
            {
                ok &= !p.TryGetValue("padding", out n) || _read.TryReadSize2(n, path + ".padding", 0, out padding);
            }

            ok &= !p.TryGetValue("ceil_mode", out n) || _read.TryReadBool(n, path + ".ceil_mode", out ceilMode);
            if (ok)
            {
                Add(new Pool2dSpec(path, kind, kernel, stride, padding, ceilMode), new LayerSyntax(kindNode, path, p), layers, syntax);
            }
        }

        private void ParseUpsample(YamlScalar kindNode, YamlNode? parameters, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            var p = ReadParameters(kindNode, parameters, path, UpsampleKeys, "scale");
            if (p is null)
            {
                return;
            }

            bool ok = _read.TryReadSize2(p["scale"], path + ".scale", 1, out var scale);
            var mode = UpsampleMode.Nearest;
            ok &= !p.TryGetValue("mode", out var n) || _read.TryReadChoice(n, path + ".mode", UpsampleModes, out mode);
            if (ok)
            {
                Add(new UpsampleSpec(path, scale, mode), new LayerSyntax(kindNode, path, p), layers, syntax);
            }
        }

        private void ParseLinear(YamlScalar kindNode, YamlNode? parameters, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            var p = ReadParameters(kindNode, parameters, path, LinearKeys, "out");
            if (p is null)
            {
                return;
            }

            bool ok = _read.TryReadInt(p["out"], path + ".out", 1, out long outFeatures);
            bool bias = true;
            ok &= !p.TryGetValue("bias", out var n) || _read.TryReadBool(n, path + ".bias", out bias);
            ok &= TryReadInAndActivation(p, path, out long? inFeatures, out var activation, out var activationSyntax);
            ok &= TryReadInit(p, path, out var init);
            if (ok)
            {
                Add(new LinearSpec(path, outFeatures, bias, inFeatures) { Init = init }, new LayerSyntax(kindNode, path, p), layers, syntax);
                AddActivation(activation, activationSyntax, layers, syntax);
            }
        }

        private void ParseDropout(YamlScalar kindNode, YamlNode? parameters, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            var p = ReadParameters(kindNode, parameters, path, DropoutKeys);
            if (p is null)
            {
                return;
            }

            double probability = 0.5;
            if (p.TryGetValue("p", out var n))
            {
                if (!_read.TryReadNumber(n, path + ".p", out probability))
                {
                    return;
                }

                if (!(probability >= 0 && probability < 1))
                {
                    _bag.Report(DiagnosticRules.OutOfRange, n, path + ".p",
                        "p must be in [0, 1) (the probability of zeroing an element), but is " + SpecParser.Format(probability));
                    return;
                }
            }

            Add(new DropoutSpec(path, probability), new LayerSyntax(kindNode, path, p), layers, syntax);
        }

        private void ParseUnflatten(YamlScalar kindNode, YamlNode? parameters, string path, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            if (parameters is null || (parameters is YamlScalar s && s.IsNull))
            {
                _bag.Report(DiagnosticRules.MalformedLayer, kindNode, path,
                    "unflatten needs the target shape: write '- unflatten: [C, H, W]'");
                return;
            }

            if (parameters is not YamlSequence list || list.Items.Count != 3)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, parameters, path,
                    "unflatten takes the target shape as a list of three sizes, '- unflatten: [C, H, W]', but got " +
                    (parameters is YamlSequence l ? "a list of " + l.Items.Count + " items" : parameters.Describe()));
                return;
            }

            var shape = new long[3];
            bool ok = true;
            for (int i = 0; i < 3; i++)
            {
                ok &= _read.TryReadInt(list.Items[i], path + "[" + i + "]", 1, out shape[i]);
            }

            if (ok)
            {
                var nodes = new Dictionary<string, YamlNode> { ["shape"] = parameters };
                Add(new UnflattenSpec(path, EquatableArray.Create(shape)), new LayerSyntax(kindNode, path, nodes), layers, syntax);
            }
        }

        private void ParseActivation(YamlScalar kindNode, YamlNode? parameters, string path, ActivationKind kind, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            double slope = ActivationSpec.DefaultSlope;
            IReadOnlyDictionary<string, YamlNode> nodes = Empty;
            if (kind == ActivationKind.LeakyRelu)
            {
                var p = ReadParameters(kindNode, parameters, path, LeakyReluKeys);
                if (p is null)
                {
                    return;
                }

                if (p.TryGetValue("slope", out var n) && !_read.TryReadNumber(n, path + ".slope", out slope))
                {
                    return;
                }

                nodes = p;
            }
            else if (!NoParameters(kindNode, parameters, path, kindNode.Value + " takes no parameters"))
            {
                return;
            }

            Add(new ActivationSpec(path, kind, slope), new LayerSyntax(kindNode, path, nodes), layers, syntax);
        }

        /// <summary>The layer's own <c>init:</c> (spec 1.1), else the spec's top-level one.</summary>
        private bool TryReadInit(Dictionary<string, YamlNode> p, string path, out InitScheme init)
        {
            init = _defaultInit;
            return !p.TryGetValue("init", out var n) || _read.TryReadChoice(n, path + ".init", SpecParser.InitSchemes, out init);
        }

        /// <summary>The optional <c>in</c> check and <c>activation</c> shorthand that conv2d, conv_transpose2d and linear share.</summary>
        private bool TryReadInAndActivation(Dictionary<string, YamlNode> p, string path, out long? declaredIn, out ActivationSpec? activation, out LayerSyntax? activationSyntax)
        {
            bool ok = true;
            declaredIn = null;
            if (p.TryGetValue("in", out var n))
            {
                ok &= _read.TryReadInt(n, path + ".in", 1, out long value);
                declaredIn = value;
            }

            activation = null;
            activationSyntax = null;
            if (p.TryGetValue("activation", out n))
            {
                ok &= TryShorthandActivation(n, path, out activation, out activationSyntax);
            }

            return ok;
        }

        private bool TryShorthandActivation(YamlNode node, string layerPath, out ActivationSpec? activation, out LayerSyntax? syntax)
        {
            activation = null;
            syntax = null;
            string path = layerPath + ".activation";
            var names = ActivationNames.All.Select(a => a.Keyword).ToArray();
            YamlScalar kindNode;
            YamlNode? parameters = null;
            if (node is YamlScalar word && !word.IsNull)
            {
                kindNode = word;
            }
            else if (node is YamlMapping map && map.Entries.Count == 1)
            {
                kindNode = map.Entries[0].Key;
                parameters = map.Entries[0].Value;
            }
            else
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, node, path,
                    "activation must be one of " + ScalarReader.ListChoices(names) + ", but is " + node.Describe());
                return false;
            }

            if (!TryActivationKind(kindNode.Value, out var kind))
            {
                _bag.Report(DiagnosticRules.InvalidChoice, kindNode, path,
                    "activation must be one of " + ScalarReader.ListChoices(names) + ", but is " + kindNode.Describe() + NameSuggester.Hint(kindNode.Value, names));
                return false;
            }

            var layers = new List<LayerSpec>();
            var syntaxes = new List<LayerSyntax>();
            ParseActivation(kindNode, parameters, path, kind, layers, syntaxes);
            if (layers.Count == 0)
            {
                return false;
            }

            activation = (ActivationSpec)layers[0];
            syntax = syntaxes[0];
            return true;
        }

        /// <summary>Reads a parameter map, checking unknown and required keys. Null when the layer cannot be built.</summary>
        private Dictionary<string, YamlNode>? ReadParameters(YamlScalar kindNode, YamlNode? parameters, string path, string[] allowed, params string[] required)
        {
            var result = new Dictionary<string, YamlNode>();
            if (parameters is null || (parameters is YamlScalar s && s.IsNull))
            {
                if (required.Length > 0)
                {
                    _bag.Report(DiagnosticRules.MalformedLayer, kindNode, path,
                        kindNode.Value + " needs parameters: write '- " + kindNode.Value + ": { " + string.Join(", ", required.Select(r => r + ": ...")) + " }'");
                    return null;
                }

                return result;
            }

            if (parameters is not YamlMapping map)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, parameters, path,
                    kindNode.Value + " takes a map of parameters ({ " + string.Join(", ", allowed.Take(3)) + ", ... }), but got " + parameters.Describe());
                return null;
            }

            bool ok = true;
            foreach (var entry in map.Entries)
            {
                string key = entry.Key.Value;
                if (!allowed.Contains(key))
                {
                    _bag.Report(DiagnosticRules.UnknownKey, entry.Key, path + "." + key,
                        "unknown parameter '" + key + "' for " + kindNode.Value + NameSuggester.Hint(key, allowed) + " (parameters: " + string.Join(", ", allowed) + ")");
                    ok = false;
                    continue;
                }

                result[key] = entry.Value;
            }

            foreach (var key in required)
            {
                if (!result.ContainsKey(key) && map.Find(key) is null)
                {
                    _bag.Report(DiagnosticRules.MissingKey, kindNode, path,
                        kindNode.Value + " is missing its required parameter '" + key + "'");
                    ok = false;
                }
            }

            return ok ? result : null;
        }

        private bool NoParameters(YamlScalar kindNode, YamlNode? parameters, string path, string why)
        {
            if (parameters is null || (parameters is YamlScalar s && s.IsNull) || (parameters is YamlMapping m && m.Entries.Count == 0))
            {
                return true;
            }

            _bag.Report(DiagnosticRules.MalformedLayer, parameters, path,
                kindNode.Value + " takes no parameters (" + why + "); write it as a bare word, '- " + kindNode.Value + "'");
            return false;
        }

        private static bool IsSame(YamlNode node) => node is YamlScalar { IsNull: false } s && s.Value == SamePadding;

        private void ReportSameOutsideConv(YamlNode node, string path, string kind)
        {
            string why = kind == "conv_transpose2d"
                ? "TensorFlow's \"same\" on a transposed convolution crops one side more than the other, which PyTorch's padding cannot express; for out = in * stride write padding: (kernel - stride) / 2 with output_padding, e.g. kernel 3, stride 2: padding: 1, output_padding: 1"
                : "write the padding as integers (pooling pads both sides alike), or put a '- zero_pad2d: [left, right, top, bottom]' before it";
            _bag.Report(DiagnosticRules.InvalidChoice, node, path + ".padding",
                "padding: same is only for conv2d (spec 1.1), not for " + kind + "; " + why);
        }

        private static bool TryActivationKind(string keyword, out ActivationKind kind)
        {
            foreach (var (name, k) in ActivationNames.All)
            {
                if (name == keyword)
                {
                    kind = k;
                    return true;
                }
            }

            kind = default;
            return false;
        }

        private static void Add(LayerSpec layer, LayerSyntax layerSyntax, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            layers.Add(layer);
            syntax.Add(layerSyntax);
        }

        private static void AddActivation(ActivationSpec? activation, LayerSyntax? activationSyntax, List<LayerSpec> layers, List<LayerSyntax> syntax)
        {
            if (activation is not null && activationSyntax is not null)
            {
                Add(activation, activationSyntax, layers, syntax);
            }
        }

        private static readonly IReadOnlyDictionary<string, YamlNode> Empty = new Dictionary<string, YamlNode>();
    }
}
