using System.Collections.Generic;

namespace VaeGen.Spec.Diagnostics
{
    /// <summary>
    /// The diagnostics catalog. IDs are stable: never renumber or reuse one. README.md's catalog
    /// table and the generator's descriptors are checked against this list by tests.
    /// </summary>
    public static class DiagnosticRules
    {
        // ---- VAE10xx: YAML that cannot be read --------------------------------------------------

        /// <summary>VAE1001.</summary>
        public static readonly DiagnosticRule YamlSyntax = new DiagnosticRule(
            "VAE1001", RuleCategory.Syntax, Severity.Error, "The spec is not valid YAML",
            "YAML that does not parse: unclosed brackets or quotes, tabs used for indentation, bad indentation.",
            "Fix the YAML at the reported position; indent with spaces, never tabs.");

        /// <summary>VAE1002.</summary>
        public static readonly DiagnosticRule EmptySpec = new DiagnosticRule(
            "VAE1002", RuleCategory.Syntax, Severity.Error, "The spec file is empty",
            "A file with no YAML document, or only comments.",
            "Write a spec (see the example in README.md) or remove the file.");

        /// <summary>VAE1003.</summary>
        public static readonly DiagnosticRule DuplicateKey = new DiagnosticRule(
            "VAE1003", RuleCategory.Syntax, Severity.Error, "Duplicate key",
            "The same key twice in one map.",
            "Keep one of the two entries.");

        /// <summary>VAE1004.</summary>
        public static readonly DiagnosticRule NotUtf8 = new DiagnosticRule(
            "VAE1004", RuleCategory.Syntax, Severity.Error, "The spec file is not valid UTF-8",
            "Bytes that do not decode as UTF-8.",
            "Save the file as UTF-8.");

        /// <summary>VAE1005.</summary>
        public static readonly DiagnosticRule YamlTooComplex = new DiagnosticRule(
            "VAE1005", RuleCategory.Syntax, Severity.Error, "The YAML exceeds a size limit",
            "Nesting deeper than 64 levels, or anchors and aliases expanding to more than 100,000 nodes (an expansion bomb).",
            "Write the spec out plainly; specs never need deep nesting or large alias expansions.");

        /// <summary>VAE1006.</summary>
        public static readonly DiagnosticRule MultipleDocuments = new DiagnosticRule(
            "VAE1006", RuleCategory.Syntax, Severity.Error, "More than one YAML document",
            "A second document after '---' in the same file.",
            "Put one spec in each *.vae.yaml file.");

        /// <summary>VAE1007.</summary>
        public static readonly DiagnosticRule ComplexKey = new DiagnosticRule(
            "VAE1007", RuleCategory.Syntax, Severity.Error, "A map key is not a plain name",
            "A list or map used as a key ('? [a, b]: c').",
            "Use plain names as keys.");

        // ---- VAE11xx: the v1 schema -------------------------------------------------------------

        /// <summary>VAE1101.</summary>
        public static readonly DiagnosticRule WrongNodeKind = new DiagnosticRule(
            "VAE1101", RuleCategory.Schema, Severity.Error, "Wrong kind of YAML node",
            "A list where a map belongs, a map where a number belongs, and the like.",
            "Write the value in the form the contract gives for that key.");

        /// <summary>VAE1102.</summary>
        public static readonly DiagnosticRule UnknownKey = new DiagnosticRule(
            "VAE1102", RuleCategory.Schema, Severity.Error, "Unknown key",
            "A key the v1 contract does not define at that place (often a typo).",
            "Use the suggested key, or remove it.");

        /// <summary>VAE1103.</summary>
        public static readonly DiagnosticRule MissingKey = new DiagnosticRule(
            "VAE1103", RuleCategory.Schema, Severity.Error, "Missing required key",
            "A required key is absent: name, input, input.shape, latent, encoder, decoder, or a layer's out/kernel/scale.",
            "Add the key.");

        /// <summary>VAE1104.</summary>
        public static readonly DiagnosticRule WrongType = new DiagnosticRule(
            "VAE1104", RuleCategory.Schema, Severity.Error, "Wrong value type",
            "A string or a float where an integer belongs, a word where a number or true/false belongs.",
            "Write the value as the type the key takes, e.g. 32 rather than \"32\" or 32.0.");

        /// <summary>VAE1105.</summary>
        public static readonly DiagnosticRule OutOfRange = new DiagnosticRule(
            "VAE1105", RuleCategory.Schema, Severity.Error, "Value out of range",
            "Sizes below 1, padding below 0, p outside [0, 1), beta below 0, scale not above 0, a range whose min is not below its max, numbers too large to represent.",
            "Use a value within the stated range.");

        /// <summary>VAE1106.</summary>
        public static readonly DiagnosticRule UnknownLayer = new DiagnosticRule(
            "VAE1106", RuleCategory.Schema, Severity.Error, "Unknown layer kind",
            "A layer kind the v1 contract does not define.",
            "Use the suggested kind; the list of kinds is in README.md.");

        /// <summary>VAE1107.</summary>
        public static readonly DiagnosticRule InvalidChoice = new DiagnosticRule(
            "VAE1107", RuleCategory.Schema, Severity.Error, "Not one of the allowed values",
            "A layout, reconstruction, reduction, backend, activation or upsample mode that does not exist.",
            "Use one of the values the message lists.");

        /// <summary>VAE1108.</summary>
        public static readonly DiagnosticRule InvalidIdentifier = new DiagnosticRule(
            "VAE1108", RuleCategory.Schema, Severity.Error, "Not a C# identifier",
            "A name that is not a C# identifier, or a namespace that is not a dotted list of them.",
            "Use letters, digits and underscores, starting with a letter or underscore, and no C# keyword.");

        /// <summary>VAE1109.</summary>
        public static readonly DiagnosticRule DuplicateClassName = new DiagnosticRule(
            "VAE1109", RuleCategory.Schema, Severity.Error, "Two specs generate the same class",
            "Two spec files with the same namespace and name in one project.",
            "Rename one of them or give it another namespace.");

        /// <summary>VAE1110.</summary>
        public static readonly DiagnosticRule MalformedLayer = new DiagnosticRule(
            "VAE1110", RuleCategory.Schema, Severity.Error, "Malformed layer",
            "A layer that is not a bare word or a one-key map 'kind: {params}', or a bare word for a layer that needs parameters.",
            "Write the layer as '- relu' or '- conv2d: { out: 32, kernel: 3 }'.");

        /// <summary>VAE1111.</summary>
        public static readonly DiagnosticRule KlForm = new DiagnosticRule(
            "VAE1111", RuleCategory.Schema, Severity.Error, "kl needs exactly one of warmup and capacity",
            "kl: (spec 1.1) with both warmup and capacity, or with neither.",
            "Keep one: 'kl: { warmup: 1000 }' or 'kl: { capacity: { max: 25, steps: 10000, gamma: 1000 } }'.");

        /// <summary>VAE1112.</summary>
        public static readonly DiagnosticRule TooFewClasses = new DiagnosticRule(
            "VAE1112", RuleCategory.Schema, Severity.Error, "A conditional VAE needs at least two classes",
            "condition: { classes: K } (spec 1.1) with K below 2.",
            "Write the number of labels the data has (0..K-1), e.g. 'condition: { classes: 10 }', or remove condition.");

        // ---- VAE2xxx: shapes --------------------------------------------------------------------

        /// <summary>VAE2001.</summary>
        public static readonly DiagnosticRule KernelTooLarge = new DiagnosticRule(
            "VAE2001", RuleCategory.Shape, Severity.Error, "Kernel larger than the padded input",
            "A conv2d or pooling kernel (with dilation) larger than the incoming height or width plus padding.",
            "Add padding, use a smaller kernel, or downsample less before this layer.");

        /// <summary>VAE2002.</summary>
        public static readonly DiagnosticRule PoolOutputTooSmall = new DiagnosticRule(
            "VAE2002", RuleCategory.Shape, Severity.Error, "Pooling output smaller than 1",
            "A maxpool2d or avgpool2d whose output height or width would be below 1.",
            "Use a smaller kernel or stride, ceil_mode: true, or remove the pooling layer.");

        /// <summary>VAE2003.</summary>
        public static readonly DiagnosticRule TransposedOutputTooSmall = new DiagnosticRule(
            "VAE2003", RuleCategory.Shape, Severity.Error, "Transposed convolution output smaller than 1",
            "A conv_transpose2d whose padding removes more than the layer produces.",
            "Use less padding or a larger kernel or stride.");

        /// <summary>VAE2004.</summary>
        public static readonly DiagnosticRule OutputPaddingTooLarge = new DiagnosticRule(
            "VAE2004", RuleCategory.Shape, Severity.Error, "output_padding not smaller than stride or dilation",
            "A conv_transpose2d output_padding that is not smaller than either its stride or its dilation.",
            "Use an output_padding below the stride (0 or stride - 1).");

        /// <summary>VAE2005.</summary>
        public static readonly DiagnosticRule ElementCountOverflow = new DiagnosticRule(
            "VAE2005", RuleCategory.Shape, Severity.Error, "Tensor too large",
            "A per-sample activation or a weight tensor with more than 2,147,483,647 elements.",
            "Use smaller sizes; no real model needs tensors this large per sample.");

        /// <summary>VAE2006.</summary>
        public static readonly DiagnosticRule NeedsImage = new DiagnosticRule(
            "VAE2006", RuleCategory.Shape, Severity.Error, "Layer needs [C, H, W] but gets a flat vector",
            "conv2d, conv_transpose2d, pooling or upsample after flatten or linear, or unflatten/flatten in the wrong place.",
            "Add '- unflatten: [C, H, W]' before the layer.");

        /// <summary>VAE2007.</summary>
        public static readonly DiagnosticRule NeedsFlat = new DiagnosticRule(
            "VAE2007", RuleCategory.Shape, Severity.Error, "linear gets [C, H, W] instead of a flat vector",
            "A linear layer (or unflatten) directly after a layer that outputs [C, H, W].",
            "Add '- flatten' before the layer.");

        /// <summary>VAE2008.</summary>
        public static readonly DiagnosticRule UnflattenMismatch = new DiagnosticRule(
            "VAE2008", RuleCategory.Shape, Severity.Error, "unflatten element count differs",
            "unflatten: [C, H, W] whose product differs from the length of the incoming vector.",
            "Make C*H*W equal the incoming length, or change the layer before it.");

        /// <summary>VAE2009.</summary>
        public static readonly DiagnosticRule EncoderNotFlat = new DiagnosticRule(
            "VAE2009", RuleCategory.Shape, Severity.Error, "Encoder does not end flat",
            "The encoder's last output is [C, H, W], but the mu and logvar heads are linear layers.",
            "End the encoder with '- flatten' (optionally followed by linear layers).");

        /// <summary>VAE2010.</summary>
        public static readonly DiagnosticRule DecoderMismatch = new DiagnosticRule(
            "VAE2010", RuleCategory.Shape, Severity.Error, "Decoder does not end at the input shape",
            "The decoder's output differs from the input's [C, H, W] (channels first).",
            "Change the decoder's last layers so they produce the input's channels-first shape.");

        /// <summary>VAE2011.</summary>
        public static readonly DiagnosticRule InMismatch = new DiagnosticRule(
            "VAE2011", RuleCategory.Shape, Severity.Error, "'in' cross-check disagrees",
            "A layer's 'in:' differs from the channels or features actually arriving.",
            "Correct 'in:' or the layers before it; 'in:' is optional and only checks.");

        /// <summary>VAE2012.</summary>
        public static readonly DiagnosticRule PoolPaddingTooLarge = new DiagnosticRule(
            "VAE2012", RuleCategory.Shape, Severity.Error, "Pooling padding more than half the kernel",
            "maxpool2d or avgpool2d padding larger than half of the (effective) kernel size.",
            "Use padding of at most kernel / 2.");

        /// <summary>VAE2013.</summary>
        public static readonly DiagnosticRule RedundantFlatten = new DiagnosticRule(
            "VAE2013", RuleCategory.Shape, Severity.Warning, "flatten of a flat vector does nothing",
            "flatten after a layer that already outputs a flat vector.",
            "Remove the flatten.");

        /// <summary>VAE2014.</summary>
        public static readonly DiagnosticRule ResidualChangesShape = new DiagnosticRule(
            "VAE2014", RuleCategory.Shape, Severity.Error, "A residual body changes the shape",
            "A residual block whose body's output shape differs from its input shape, so x + body(x) cannot be formed (spec 1.1).",
            "Make the body keep the shape (same channels; padding that keeps H and W), or move the layers that change it out of the residual.");

        // ---- VAE3xxx: channel order and semantics ------------------------------------------------

        /// <summary>VAE3001.</summary>
        public static readonly DiagnosticRule LooksChannelsLast = new DiagnosticRule(
            "VAE3001", RuleCategory.Semantics, Severity.Warning, "Shape looks channels-last but layout is nchw",
            "layout: nchw (the default) with a shape like [H, W, C], C in 1, 3, 4 and H, W above 4.",
            "Write 'layout: nhwc' if the data arrives as (B, H, W, C), or reorder the shape to [C, H, W].");

        /// <summary>VAE3002.</summary>
        public static readonly DiagnosticRule LooksChannelsFirst = new DiagnosticRule(
            "VAE3002", RuleCategory.Semantics, Severity.Warning, "Shape looks channels-first but layout is nhwc",
            "layout: nhwc with a shape like [C, H, W], C in 1, 3, 4 and H, W above 4.",
            "Write 'layout: nchw', or reorder the shape to [H, W, C].");

        /// <summary>VAE3003.</summary>
        public static readonly DiagnosticRule SigmoidTwice = new DiagnosticRule(
            "VAE3003", RuleCategory.Semantics, Severity.Error, "bce_logits after a sigmoid applies sigmoid twice",
            "reconstruction: bce_logits with a decoder that ends in sigmoid.",
            "Remove the final sigmoid, or use reconstruction: bce.");

        /// <summary>VAE3004.</summary>
        public static readonly DiagnosticRule BceWithoutSigmoid = new DiagnosticRule(
            "VAE3004", RuleCategory.Semantics, Severity.Error, "bce needs probabilities but the decoder does not end in sigmoid",
            "reconstruction: bce with a decoder whose last layer is not sigmoid.",
            "Use reconstruction: bce_logits (numerically stable), or end the decoder with sigmoid.");

        /// <summary>VAE3005.</summary>
        public static readonly DiagnosticRule BceTargetRange = new DiagnosticRule(
            "VAE3005", RuleCategory.Semantics, Severity.Error, "Binary cross-entropy needs targets in [0, 1]",
            "bce or bce_logits with an effective input range (range / scale) outside [0, 1].",
            "Set input.scale (e.g. scale: 255 for [0, 255] data), or use reconstruction: mse.");

        /// <summary>VAE3006.</summary>
        public static readonly DiagnosticRule SigmoidRange = new DiagnosticRule(
            "VAE3006", RuleCategory.Semantics, Severity.Error, "Decoder output range cannot reach the data range",
            "A decoder ending in sigmoid (outputs in [0, 1]) with mse or gaussian against an effective range outside [0, 1].",
            "Set input.scale so that range / scale lies in [0, 1] (e.g. scale: 255), or remove the final sigmoid.");

        /// <summary>VAE3007.</summary>
        public static readonly DiagnosticRule BetaZero = new DiagnosticRule(
            "VAE3007", RuleCategory.Semantics, Severity.Warning, "beta: 0 trains a plain autoencoder",
            "beta: 0, which removes the KL term.",
            "Use beta > 0 for a VAE (1.0 is the standard VAE).");

        /// <summary>VAE3008.</summary>
        public static readonly DiagnosticRule SigmaWithoutGaussian = new DiagnosticRule(
            "VAE3008", RuleCategory.Semantics, Severity.Error, "sigma without reconstruction: gaussian has no effect",
            "sigma: (spec 1.1) with a reconstruction other than gaussian.",
            "Write 'reconstruction: gaussian', or remove sigma.");

        /// <summary>VAE3009.</summary>
        public static readonly DiagnosticRule BetaWithCapacity = new DiagnosticRule(
            "VAE3009", RuleCategory.Semantics, Severity.Error, "beta has no effect with a KL capacity",
            "beta: written together with kl: { capacity: ... }, whose loss weighs the KL term by gamma instead.",
            "Remove beta; the capacity's gamma weighs the KL term.");

        // ---- VAE9xxx: internal ------------------------------------------------------------------

        /// <summary>VAE9001.</summary>
        public static readonly DiagnosticRule InternalError = new DiagnosticRule(
            "VAE9001", RuleCategory.Internal, Severity.Error, "VaeGen failed on this spec",
            "An unexpected exception inside VaeGen while handling one spec (a bug: please report it with the spec).",
            "Report the spec and the message; other specs still generate.");

        /// <summary>VAE9002.</summary>
        public static readonly DiagnosticRule RuntimeMissing = new DiagnosticRule(
            "VAE9002", RuleCategory.Internal, Severity.Warning, "backend managed needs a VaeGen.Runtime reference",
            "The managed backend is chosen (by the spec's backend: key, the VaeGenBackend property, or because TorchSharp is not referenced) in a project that does not reference VaeGen.Runtime; the class gets its shape constants only.",
            "Reference the VaeGen.Runtime package (the VaeGen package brings it), or reference TorchSharp and use backend: torchsharp.");

        /// <summary>VAE9003.</summary>
        public static readonly DiagnosticRule TorchSharpMissing = new DiagnosticRule(
            "VAE9003", RuleCategory.Internal, Severity.Error, "backend torchsharp needs a TorchSharp reference",
            "backend: torchsharp (in the spec or the VaeGenBackend property) in a project that does not reference the TorchSharp assembly.",
            "Add a PackageReference to TorchSharp-cpu 0.107.0 (or a CUDA package), or choose backend: managed.");

        /// <summary>VAE9004: reported by the C# compiler at each use of a broken spec's class (its Obsolete attribute's DiagnosticId).</summary>
        public static readonly DiagnosticRule StandInUsed = new DiagnosticRule(
            "VAE9004", RuleCategory.Internal, Severity.Error, "The class of a spec with errors is used",
            "C# code uses the class of a spec that has errors. The class is a stand-in marked obsolete, so the compiler reports each use, quoting the spec's first error with its file, line and column.",
            "Fix the spec's errors (the first is quoted in the message); the class is then generated and the uses compile.");

        /// <summary>Every rule, in ID order.</summary>
        public static IReadOnlyList<DiagnosticRule> All { get; } = new[]
        {
            YamlSyntax, EmptySpec, DuplicateKey, NotUtf8, YamlTooComplex, MultipleDocuments, ComplexKey,
            WrongNodeKind, UnknownKey, MissingKey, WrongType, OutOfRange, UnknownLayer, InvalidChoice,
            InvalidIdentifier, DuplicateClassName, MalformedLayer, KlForm, TooFewClasses,
            KernelTooLarge, PoolOutputTooSmall, TransposedOutputTooSmall, OutputPaddingTooLarge,
            ElementCountOverflow, NeedsImage, NeedsFlat, UnflattenMismatch, EncoderNotFlat, DecoderMismatch,
            InMismatch, PoolPaddingTooLarge, RedundantFlatten, ResidualChangesShape,
            LooksChannelsLast, LooksChannelsFirst, SigmoidTwice, BceWithoutSigmoid, BceTargetRange,
            SigmoidRange, BetaZero, SigmaWithoutGaussian, BetaWithCapacity,
            InternalError, RuntimeMissing, TorchSharpMissing, StandInUsed,
        };
    }
}
