using System.Collections.Generic;
using System.Linq;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Yaml;

namespace VaeGen.Spec.Parsing
{
    /// <summary>
    /// Turns a YAML tree into a <see cref="VaeSpec"/>, strictly against the v1 contract
    /// (spec-language.md): unknown keys, missing keys, wrong types and out-of-range values are all
    /// reported, each at its node, and every default is filled in.
    /// </summary>
    internal sealed class SpecParser
    {
        internal static readonly string[] TopLevelKeys =
            { "name", "namespace", "backend", "input", "latent", "beta", "reconstruction", "reduction", "encoder", "decoder", "init", "sigma", "kl", "condition" };

        /// <summary>The keys of <c>kl:</c> (spec 1.1): exactly one of them.</summary>
        internal static readonly string[] KlKeys = { "warmup", "capacity" };

        /// <summary>The keys of <c>condition:</c> (spec 1.1), all required.</summary>
        internal static readonly string[] ConditionKeys = { "classes" };

        /// <summary>The keys of <c>kl: { capacity: ... }</c>, all required.</summary>
        internal static readonly string[] CapacityKeys = { "max", "steps", "gamma" };

        internal static readonly string[] InputKeys = { "shape", "layout", "range", "scale" };

        internal static readonly (string, InputLayout)[] Layouts = { ("nchw", InputLayout.Nchw), ("nhwc", InputLayout.Nhwc) };

        internal static readonly (string, ReconstructionKind)[] Reconstructions =
            { ("mse", ReconstructionKind.Mse), ("bce_logits", ReconstructionKind.BceLogits), ("bce", ReconstructionKind.Bce), ("gaussian", ReconstructionKind.Gaussian) };

        /// <summary>The word <c>sigma:</c> takes besides a number (spec 1.1).</summary>
        internal const string SigmaLearned = "learned";

        internal static readonly (string, ReconstructionReduction)[] Reductions =
            { ("sum", ReconstructionReduction.Sum), ("mean", ReconstructionReduction.Mean) };

        /// <summary>The values of <c>init:</c> (spec 1.1), top-level and per layer.</summary>
        internal static readonly (string, InitScheme)[] InitSchemes = InitSchemeNames.All;

        internal static readonly (string, ModelBackend)[] Backends =
            { ("torchsharp", ModelBackend.TorchSharp), ("managed", ModelBackend.Managed) };

        private readonly DiagnosticBag _bag;
        private readonly ScalarReader _read;

        public SpecParser(DiagnosticBag bag)
        {
            _bag = bag;
            _read = new ScalarReader(bag);
        }

        public ParsedSpec Parse(YamlNode root)
        {
            var syntax = new SpecSyntax(root);
            if (root is not YamlMapping map)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, root, string.Empty,
                    "a spec must be a map of keys (name, input, latent, encoder, decoder, ...) but the file holds " + root.Describe());
                return new ParsedSpec(null, null, null, syntax);
            }

            int errorsBefore = _bag.ErrorCount;
            CheckKeys(map, string.Empty, TopLevelKeys, syntax);

            string? name = null;
            var nameNode = Require(map, "name", string.Empty, "the class name, e.g. 'name: MnistVae'");
            if (nameNode is not null && _read.TryReadString(nameNode, "name", out var nameText))
            {
                if (CSharpNames.IsIdentifier(nameText))
                {
                    name = nameText;
                }
                else
                {
                    _bag.Report(DiagnosticRules.InvalidIdentifier, nameNode, "name",
                        "name '" + nameText + "' is not a C# identifier; use letters, digits and underscores, starting with a letter (e.g. '" + SuggestIdentifier(nameText) + "')");
                }
            }

            string? ns = null;
            if (Optional(map, "namespace") is { } nsNode && _read.TryReadString(nsNode, "namespace", out var nsText))
            {
                if (CSharpNames.IsNamespace(nsText))
                {
                    ns = nsText;
                }
                else
                {
                    _bag.Report(DiagnosticRules.InvalidIdentifier, nsNode, "namespace",
                        "namespace '" + nsText + "' is not a dotted list of C# identifiers (e.g. 'MyApp.Models')");
                }
            }

            ModelBackend? backend = null;
            if (Optional(map, "backend") is { } backendNode && _read.TryReadChoice(backendNode, "backend", Backends, out var backendValue))
            {
                backend = backendValue;
            }

            var input = ParseInput(map, syntax);

            long latent = 0;
            var latentNode = Require(map, "latent", string.Empty, "the latent dimension, e.g. 'latent: 16'");
            bool latentOk = latentNode is not null && _read.TryReadInt(latentNode, "latent", 1, out latent);

            double beta = 1.0;
            if (Optional(map, "beta") is { } betaNode && _read.TryReadNumber(betaNode, "beta", out beta) && beta < 0)
            {
                _bag.Report(DiagnosticRules.OutOfRange, betaNode, "beta", "beta must be at least 0, but is " + Format(beta));
            }

            var reconstruction = ReconstructionKind.Mse;
            bool reconstructionOk = true;
            if (Optional(map, "reconstruction") is { } reconstructionNode)
            {
                reconstructionOk = _read.TryReadChoice(reconstructionNode, "reconstruction", Reconstructions, out reconstruction);
            }

            var (sigma, sigmaLearned) = ParseSigma(map, reconstructionOk ? reconstruction : (ReconstructionKind?)null);
            var (klWarmup, klCapacity) = ParseKl(map, syntax);
            long classes = ParseCondition(map, syntax);

            var reduction = ReconstructionReduction.Sum;
            if (Optional(map, "reduction") is { } reductionNode)
            {
                _read.TryReadChoice(reductionNode, "reduction", Reductions, out reduction);
            }

            var init = InitScheme.Pytorch;
            if (Optional(map, "init") is { } initNode)
            {
                _read.TryReadChoice(initNode, "init", InitSchemes, out init);
            }

            var layers = new LayerParser(_bag, _read, init);
            var encoder = new List<LayerSpec>();
            if (Require(map, "encoder", string.Empty, "the encoder's layers, e.g. 'encoder: [flatten, { linear: { out: 400, activation: relu } }]'") is { } encoderNode)
            {
                layers.ParseList(encoderNode, "encoder", encoder, syntax.Encoder);
            }

            var decoder = new List<LayerSpec>();
            if (Require(map, "decoder", string.Empty, "the decoder's layers, ending at the input's [C, H, W]") is { } decoderNode)
            {
                layers.ParseList(decoderNode, "decoder", decoder, syntax.Decoder);
            }

            if (_bag.ErrorCount > errorsBefore || name is null || input is null || !latentOk)
            {
                return new ParsedSpec(null, name, ns, syntax);
            }

            var spec = new VaeSpec(name, ns, backend, input, latent, beta, reconstruction, reduction,
                encoder.ToEquatableArray(), decoder.ToEquatableArray())
            {
                Init = init,
                Sigma = sigma,
                SigmaLearned = sigmaLearned,
                KlWarmup = klWarmup,
                KlCapacity = klCapacity,
                Classes = classes,
            };
            return new ParsedSpec(spec, name, ns, syntax);
        }

        /// <summary>
        /// <c>condition: { classes: K }</c> (spec 1.1): a conditional VAE over K >= 2 classes; 0 without the key (or when it was reported).
        /// Fewer than two classes is its own error at the value: one label carries no information.
        /// </summary>
        private long ParseCondition(YamlMapping map, SpecSyntax syntax)
        {
            if (Optional(map, "condition") is not { } node)
            {
                return 0;
            }

            if (node is not YamlMapping condition)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, node, "condition",
                    "condition must be a map with the number of classes, e.g. 'condition: { classes: 10 }', but is " + node.Describe());
                return 0;
            }

            CheckKeys(condition, "condition", ConditionKeys, syntax);
            var classesNode = Require(condition, "classes", "condition", "the number of classes K the labels take (0..K-1), e.g. 'classes: 10'");
            if (classesNode is null || !_read.TryReadInt(classesNode, "condition.classes", long.MinValue, out long classes))
            {
                return 0;
            }

            if (classes < 2)
            {
                _bag.Report(DiagnosticRules.TooFewClasses, classesNode, "condition.classes",
                    "classes must be at least 2, but is " + classes + ": a conditional VAE with " + (classes == 1 ? "one class" : "no class") +
                    " has no label to choose; write 'condition: { classes: K }' with K the number of labels (0..K-1), or remove condition");
                return 0;
            }

            return classes;
        }

        /// <summary>
        /// <c>sigma:</c> (spec 1.1): a number above 0 or <c>learned</c>, and only with <c>reconstruction: gaussian</c>
        /// (<paramref name="reconstruction"/> is null when that key itself was reported).
        /// </summary>
        private (double Sigma, bool Learned) ParseSigma(YamlMapping map, ReconstructionKind? reconstruction)
        {
            if (Optional(map, "sigma") is not { } node)
            {
                return (1.0, false);
            }

            if (reconstruction is { } kind && kind != ReconstructionKind.Gaussian)
            {
                _bag.Report(DiagnosticRules.SigmaWithoutGaussian, map.Find("sigma")!.Key, "sigma",
                    "sigma is the standard deviation of reconstruction: gaussian, but reconstruction is " + Reconstructions.First(r => r.Item2 == kind).Item1 +
                    (map.Find("reconstruction") is null ? " (the default)" : string.Empty) + ", so it has no effect; write 'reconstruction: gaussian' or remove sigma");
                return (1.0, false);
            }

            if (node is YamlScalar word && word.Value == SigmaLearned)
            {
                return (1.0, true);
            }

            if (node is YamlScalar text && !text.IsNull && !ScalarReader.TryParseDouble(text.Value.Trim(), out _))
            {
                _bag.Report(DiagnosticRules.InvalidChoice, node, "sigma",
                    "sigma must be a number above 0 or 'learned', but is " + text.Describe() + NameSuggester.Hint(text.Value, new[] { SigmaLearned }));
                return (1.0, false);
            }

            if (_read.TryReadNumber(node, "sigma", out double sigma) && !(sigma > 0))
            {
                _bag.Report(DiagnosticRules.OutOfRange, node, "sigma",
                    "sigma must be above 0 (it is the standard deviation of p(x|z)) or 'learned', but is " + Format(sigma));
            }

            return (sigma > 0 ? sigma : 1.0, false);
        }

        /// <summary>
        /// <c>kl:</c> (spec 1.1): a map with exactly one of <c>warmup: N</c> (int >= 0) and
        /// <c>capacity: { max: C >= 0, steps: T >= 1, gamma: g > 0 }</c>; <c>beta</c> written beside a capacity is an error at <c>beta</c>.
        /// </summary>
        private (long Warmup, KlCapacity? Capacity) ParseKl(YamlMapping map, SpecSyntax syntax)
        {
            if (Optional(map, "kl") is not { } node)
            {
                return (0, null);
            }

            if (node is not YamlMapping kl)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, node, "kl",
                    "kl must be a map with one of warmup or capacity, e.g. 'kl: { warmup: 1000 }', but is " + node.Describe());
                return (0, null);
            }

            CheckKeys(kl, "kl", KlKeys, syntax);
            var warmupNode = kl.Find("warmup")?.Value;
            var capacityNode = kl.Find("capacity")?.Value;
            if ((warmupNode is null) == (capacityNode is null))
            {
                _bag.Report(DiagnosticRules.KlForm, map.Find("kl")!.Key, "kl",
                    (warmupNode is null
                        ? "kl has neither warmup nor capacity, so it says nothing"
                        : "kl has both warmup and capacity, but a spec trains with one schedule") +
                    "; write 'kl: { warmup: N }' (KL weight beta * min(1, t / N)) or 'kl: { capacity: { max: C, steps: T, gamma: g } }'");
                return (0, null);
            }

            if (warmupNode is not null)
            {
                return (_read.TryReadInt(warmupNode, "kl.warmup", 0, out long warmup) ? warmup : 0, null);
            }

            if (capacityNode is not YamlMapping capacity)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, capacityNode!, "kl.capacity",
                    "capacity must be a map { max: C, steps: T, gamma: g }, but is " + capacityNode!.Describe());
                return (0, null);
            }

            CheckKeys(capacity, "kl.capacity", CapacityKeys, syntax);
            var maxNode = Require(capacity, "max", "kl.capacity", "the final capacity C in nats, e.g. 'max: 25'");
            var stepsNode = Require(capacity, "steps", "kl.capacity", "the steps T over which the capacity grows, e.g. 'steps: 10000'");
            var gammaNode = Require(capacity, "gamma", "kl.capacity", "the weight g of |KL - C_t|, e.g. 'gamma: 1000'");
            bool ok = maxNode is not null && stepsNode is not null && gammaNode is not null;
            double max = 0, gamma = 1;
            long steps = 1;
            if (maxNode is not null && _read.TryReadNumber(maxNode, "kl.capacity.max", out max) && !(max >= 0))
            {
                _bag.Report(DiagnosticRules.OutOfRange, maxNode, "kl.capacity.max", "max must be at least 0 (a capacity in nats), but is " + Format(max));
                ok = false;
            }

            ok &= stepsNode is not null && _read.TryReadInt(stepsNode, "kl.capacity.steps", 1, out steps);
            if (gammaNode is not null && _read.TryReadNumber(gammaNode, "kl.capacity.gamma", out gamma) && !(gamma > 0))
            {
                _bag.Report(DiagnosticRules.OutOfRange, gammaNode, "kl.capacity.gamma", "gamma must be above 0, but is " + Format(gamma));
                ok = false;
            }

            if (map.Find("beta") is { } beta)
            {
                _bag.Report(DiagnosticRules.BetaWithCapacity, beta.Key, "beta",
                    "beta has no effect with kl: { capacity: ... }: the loss is mean(recon) + gamma * |mean(KL) - C_t|, weighted by gamma; remove beta");
            }

            return ok ? (0, new KlCapacity(max, steps, gamma)) : (0, null);
        }

        private InputSpec? ParseInput(YamlMapping map, SpecSyntax syntax)
        {
            var inputNode = Require(map, "input", string.Empty, "the input section, e.g. 'input: { shape: [28, 28, 1], layout: nhwc }'");
            if (inputNode is null)
            {
                return null;
            }

            if (inputNode is not YamlMapping input)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, inputNode, "input",
                    "input must be a map with shape, layout, range and scale, but is " + inputNode.Describe());
                return null;
            }

            CheckKeys(input, "input", InputKeys, syntax);
            bool ok = true;

            var shape = new long[3];
            var shapeNode = Require(input, "shape", "input", "the per-sample shape, e.g. 'shape: [28, 28, 1]'");
            if (shapeNode is null)
            {
                ok = false;
            }
            else if (shapeNode is not YamlSequence shapeList)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, shapeNode, "input.shape",
                    "shape must be a list of three sizes, [C, H, W] or [H, W, C], but is " + shapeNode.Describe());
                ok = false;
            }
            else if (shapeList.Items.Count != 3)
            {
                _bag.Report(DiagnosticRules.WrongNodeKind, shapeNode, "input.shape",
                    "shape must have three sizes, [C, H, W] (nchw) or [H, W, C] (nhwc), but has " + shapeList.Items.Count +
                    (shapeList.Items.Count == 2 ? "; for one-channel images write [H, W, 1] with layout: nhwc" : string.Empty));
                ok = false;
            }
            else
            {
                for (int i = 0; i < 3; i++)
                {
                    ok &= _read.TryReadInt(shapeList.Items[i], "input.shape[" + i + "]", 1, out shape[i]);
                }
            }

            var layout = InputLayout.Nchw;
            if (Optional(input, "layout") is { } layoutNode)
            {
                ok &= _read.TryReadChoice(layoutNode, "input.layout", Layouts, out layout);
            }

            double min = 0, max = 1;
            if (Optional(input, "range") is { } rangeNode)
            {
                if (rangeNode is YamlSequence rangeList && rangeList.Items.Count == 2)
                {
                    bool rangeOk = _read.TryReadNumber(rangeList.Items[0], "input.range[0]", out min) &
                                   _read.TryReadNumber(rangeList.Items[1], "input.range[1]", out max);
                    if (rangeOk && !(min < max))
                    {
                        _bag.Report(DiagnosticRules.OutOfRange, rangeNode, "input.range",
                            "range must be [min, max] with min below max, but is [" + Format(min) + ", " + Format(max) + "]");
                        rangeOk = false;
                    }

                    ok &= rangeOk;
                }
                else
                {
                    _bag.Report(DiagnosticRules.WrongNodeKind, rangeNode, "input.range",
                        "range must be a list [min, max], e.g. [0, 255], but is " + (rangeNode is YamlSequence l ? "a list of " + l.Items.Count + " items" : rangeNode.Describe()));
                    ok = false;
                }
            }

            double scale = 1;
            if (Optional(input, "scale") is { } scaleNode)
            {
                if (_read.TryReadNumber(scaleNode, "input.scale", out scale))
                {
                    if (!(scale > 0))
                    {
                        _bag.Report(DiagnosticRules.OutOfRange, scaleNode, "input.scale",
                            "scale must be above 0 (the model divides its input by it), but is " + Format(scale));
                        ok = false;
                    }
                }
                else
                {
                    ok = false;
                }
            }

            return ok ? new InputSpec(EquatableArray.Create(shape), layout, min, max, scale) : null;
        }

        private void CheckKeys(YamlMapping map, string path, string[] allowed, SpecSyntax syntax)
        {
            foreach (var entry in map.Entries)
            {
                string key = entry.Key.Value;
                string keyPath = path.Length == 0 ? key : path + "." + key;
                if (allowed.Contains(key))
                {
                    syntax.Keys[keyPath] = entry.Key;
                    syntax.Values[keyPath] = entry.Value;
                    continue;
                }

                string where = path.Length == 0 ? "at the top level of a spec" : "in " + path;
                string hint = NameSuggester.Hint(key, allowed);
                if (hint.Length == 0 && path.Length == 0 && InputKeys.Contains(key))
                {
                    hint = "; it belongs inside 'input:'";
                }

                _bag.Report(DiagnosticRules.UnknownKey, entry.Key, keyPath,
                    "unknown key '" + key + "' " + where + hint + " (allowed: " + string.Join(", ", allowed) + ")");
            }
        }

        private YamlNode? Require(YamlMapping map, string key, string path, string what)
        {
            var entry = map.Find(key);
            if (entry is not null)
            {
                return entry.Value;
            }

            string keyPath = path.Length == 0 ? key : path + "." + key;
            _bag.Report(DiagnosticRules.MissingKey, StartOf(map), path,
                "missing required key '" + keyPath + "': " + what);
            return null;
        }

        private static YamlNode? Optional(YamlMapping map, string key) => map.Find(key)?.Value;

        // A missing key is reported at the first key of the map, not across the whole map.
        private static YamlNode StartOf(YamlMapping map) => map.Entries.Count > 0 ? map.Entries[0].Key : map;

        private static string SuggestIdentifier(string text)
        {
            var chars = text.Where(c => char.IsLetterOrDigit(c) || c == '_').ToArray();
            string candidate = new string(chars);
            if (candidate.Length == 0 || char.IsDigit(candidate[0]))
            {
                candidate = "Vae" + candidate;
            }

            return CSharpNames.IsIdentifier(candidate) ? candidate : candidate + "Model";
        }

        internal static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
