using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using VaeGen.Spec.Diagnostics;

namespace VaeGen.Generators.Diagnostics
{
    /// <summary>
    /// Roslyn descriptors, one per rule of <see cref="DiagnosticRules"/> (the single source of titles,
    /// triggers and fixes). IDs, categories and severities are literals so analyzer release tracking
    /// (AnalyzerReleases.*.md) can read them; a unit test checks they agree with the catalog. The
    /// message of every descriptor is the checker's complete, already formatted text.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        internal const string HelpLink = "https://github.com/vaegen/vaegen/blob/main/README.md#diagnostics";

        public static readonly DiagnosticDescriptor YamlSyntax = new DiagnosticDescriptor(
            "VAE1001", DiagnosticRules.YamlSyntax.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.YamlSyntax.Trigger + " " + DiagnosticRules.YamlSyntax.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor EmptySpec = new DiagnosticDescriptor(
            "VAE1002", DiagnosticRules.EmptySpec.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.EmptySpec.Trigger + " " + DiagnosticRules.EmptySpec.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor DuplicateKey = new DiagnosticDescriptor(
            "VAE1003", DiagnosticRules.DuplicateKey.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.DuplicateKey.Trigger + " " + DiagnosticRules.DuplicateKey.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor NotUtf8 = new DiagnosticDescriptor(
            "VAE1004", DiagnosticRules.NotUtf8.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.NotUtf8.Trigger + " " + DiagnosticRules.NotUtf8.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor YamlTooComplex = new DiagnosticDescriptor(
            "VAE1005", DiagnosticRules.YamlTooComplex.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.YamlTooComplex.Trigger + " " + DiagnosticRules.YamlTooComplex.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor MultipleDocuments = new DiagnosticDescriptor(
            "VAE1006", DiagnosticRules.MultipleDocuments.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.MultipleDocuments.Trigger + " " + DiagnosticRules.MultipleDocuments.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor ComplexKey = new DiagnosticDescriptor(
            "VAE1007", DiagnosticRules.ComplexKey.Title, "{0}", "VaeGen.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.ComplexKey.Trigger + " " + DiagnosticRules.ComplexKey.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor WrongNodeKind = new DiagnosticDescriptor(
            "VAE1101", DiagnosticRules.WrongNodeKind.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.WrongNodeKind.Trigger + " " + DiagnosticRules.WrongNodeKind.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor UnknownKey = new DiagnosticDescriptor(
            "VAE1102", DiagnosticRules.UnknownKey.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.UnknownKey.Trigger + " " + DiagnosticRules.UnknownKey.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor MissingKey = new DiagnosticDescriptor(
            "VAE1103", DiagnosticRules.MissingKey.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.MissingKey.Trigger + " " + DiagnosticRules.MissingKey.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor WrongType = new DiagnosticDescriptor(
            "VAE1104", DiagnosticRules.WrongType.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.WrongType.Trigger + " " + DiagnosticRules.WrongType.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor OutOfRange = new DiagnosticDescriptor(
            "VAE1105", DiagnosticRules.OutOfRange.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.OutOfRange.Trigger + " " + DiagnosticRules.OutOfRange.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor UnknownLayer = new DiagnosticDescriptor(
            "VAE1106", DiagnosticRules.UnknownLayer.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.UnknownLayer.Trigger + " " + DiagnosticRules.UnknownLayer.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor InvalidChoice = new DiagnosticDescriptor(
            "VAE1107", DiagnosticRules.InvalidChoice.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.InvalidChoice.Trigger + " " + DiagnosticRules.InvalidChoice.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor InvalidIdentifier = new DiagnosticDescriptor(
            "VAE1108", DiagnosticRules.InvalidIdentifier.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.InvalidIdentifier.Trigger + " " + DiagnosticRules.InvalidIdentifier.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor DuplicateClassName = new DiagnosticDescriptor(
            "VAE1109", DiagnosticRules.DuplicateClassName.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.DuplicateClassName.Trigger + " " + DiagnosticRules.DuplicateClassName.Fix, helpLinkUri: HelpLink,
            customTags: WellKnownDiagnosticTags.CompilationEnd); // reported by SpecAnalyzer's compilation action, which needs every spec

        public static readonly DiagnosticDescriptor MalformedLayer = new DiagnosticDescriptor(
            "VAE1110", DiagnosticRules.MalformedLayer.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.MalformedLayer.Trigger + " " + DiagnosticRules.MalformedLayer.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor KlForm = new DiagnosticDescriptor(
            "VAE1111", DiagnosticRules.KlForm.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.KlForm.Trigger + " " + DiagnosticRules.KlForm.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor TooFewClasses = new DiagnosticDescriptor(
            "VAE1112", DiagnosticRules.TooFewClasses.Title, "{0}", "VaeGen.Schema", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.TooFewClasses.Trigger + " " + DiagnosticRules.TooFewClasses.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor KernelTooLarge = new DiagnosticDescriptor(
            "VAE2001", DiagnosticRules.KernelTooLarge.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.KernelTooLarge.Trigger + " " + DiagnosticRules.KernelTooLarge.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor PoolOutputTooSmall = new DiagnosticDescriptor(
            "VAE2002", DiagnosticRules.PoolOutputTooSmall.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.PoolOutputTooSmall.Trigger + " " + DiagnosticRules.PoolOutputTooSmall.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor TransposedOutputTooSmall = new DiagnosticDescriptor(
            "VAE2003", DiagnosticRules.TransposedOutputTooSmall.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.TransposedOutputTooSmall.Trigger + " " + DiagnosticRules.TransposedOutputTooSmall.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor OutputPaddingTooLarge = new DiagnosticDescriptor(
            "VAE2004", DiagnosticRules.OutputPaddingTooLarge.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.OutputPaddingTooLarge.Trigger + " " + DiagnosticRules.OutputPaddingTooLarge.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor ElementCountOverflow = new DiagnosticDescriptor(
            "VAE2005", DiagnosticRules.ElementCountOverflow.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.ElementCountOverflow.Trigger + " " + DiagnosticRules.ElementCountOverflow.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor NeedsImage = new DiagnosticDescriptor(
            "VAE2006", DiagnosticRules.NeedsImage.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.NeedsImage.Trigger + " " + DiagnosticRules.NeedsImage.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor NeedsFlat = new DiagnosticDescriptor(
            "VAE2007", DiagnosticRules.NeedsFlat.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.NeedsFlat.Trigger + " " + DiagnosticRules.NeedsFlat.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor UnflattenMismatch = new DiagnosticDescriptor(
            "VAE2008", DiagnosticRules.UnflattenMismatch.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.UnflattenMismatch.Trigger + " " + DiagnosticRules.UnflattenMismatch.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor EncoderNotFlat = new DiagnosticDescriptor(
            "VAE2009", DiagnosticRules.EncoderNotFlat.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.EncoderNotFlat.Trigger + " " + DiagnosticRules.EncoderNotFlat.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor DecoderMismatch = new DiagnosticDescriptor(
            "VAE2010", DiagnosticRules.DecoderMismatch.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.DecoderMismatch.Trigger + " " + DiagnosticRules.DecoderMismatch.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor InMismatch = new DiagnosticDescriptor(
            "VAE2011", DiagnosticRules.InMismatch.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.InMismatch.Trigger + " " + DiagnosticRules.InMismatch.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor PoolPaddingTooLarge = new DiagnosticDescriptor(
            "VAE2012", DiagnosticRules.PoolPaddingTooLarge.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.PoolPaddingTooLarge.Trigger + " " + DiagnosticRules.PoolPaddingTooLarge.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor RedundantFlatten = new DiagnosticDescriptor(
            "VAE2013", DiagnosticRules.RedundantFlatten.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: DiagnosticRules.RedundantFlatten.Trigger + " " + DiagnosticRules.RedundantFlatten.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor ResidualChangesShape = new DiagnosticDescriptor(
            "VAE2014", DiagnosticRules.ResidualChangesShape.Title, "{0}", "VaeGen.Shape", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.ResidualChangesShape.Trigger + " " + DiagnosticRules.ResidualChangesShape.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor LooksChannelsLast = new DiagnosticDescriptor(
            "VAE3001", DiagnosticRules.LooksChannelsLast.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: DiagnosticRules.LooksChannelsLast.Trigger + " " + DiagnosticRules.LooksChannelsLast.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor LooksChannelsFirst = new DiagnosticDescriptor(
            "VAE3002", DiagnosticRules.LooksChannelsFirst.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: DiagnosticRules.LooksChannelsFirst.Trigger + " " + DiagnosticRules.LooksChannelsFirst.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor SigmoidTwice = new DiagnosticDescriptor(
            "VAE3003", DiagnosticRules.SigmoidTwice.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.SigmoidTwice.Trigger + " " + DiagnosticRules.SigmoidTwice.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor BceWithoutSigmoid = new DiagnosticDescriptor(
            "VAE3004", DiagnosticRules.BceWithoutSigmoid.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.BceWithoutSigmoid.Trigger + " " + DiagnosticRules.BceWithoutSigmoid.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor BceTargetRange = new DiagnosticDescriptor(
            "VAE3005", DiagnosticRules.BceTargetRange.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.BceTargetRange.Trigger + " " + DiagnosticRules.BceTargetRange.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor SigmoidRange = new DiagnosticDescriptor(
            "VAE3006", DiagnosticRules.SigmoidRange.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.SigmoidRange.Trigger + " " + DiagnosticRules.SigmoidRange.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor BetaZero = new DiagnosticDescriptor(
            "VAE3007", DiagnosticRules.BetaZero.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: DiagnosticRules.BetaZero.Trigger + " " + DiagnosticRules.BetaZero.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor SigmaWithoutGaussian = new DiagnosticDescriptor(
            "VAE3008", DiagnosticRules.SigmaWithoutGaussian.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.SigmaWithoutGaussian.Trigger + " " + DiagnosticRules.SigmaWithoutGaussian.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor BetaWithCapacity = new DiagnosticDescriptor(
            "VAE3009", DiagnosticRules.BetaWithCapacity.Title, "{0}", "VaeGen.Semantics", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.BetaWithCapacity.Trigger + " " + DiagnosticRules.BetaWithCapacity.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor InternalError = new DiagnosticDescriptor(
            "VAE9001", DiagnosticRules.InternalError.Title, "{0}", "VaeGen.Internal", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.InternalError.Trigger + " " + DiagnosticRules.InternalError.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor RuntimeMissing = new DiagnosticDescriptor(
            "VAE9002", DiagnosticRules.RuntimeMissing.Title, "{0}", "VaeGen.Internal", DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: DiagnosticRules.RuntimeMissing.Trigger + " " + DiagnosticRules.RuntimeMissing.Fix, helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor TorchSharpMissing = new DiagnosticDescriptor(
            "VAE9003", DiagnosticRules.TorchSharpMissing.Title, "{0}", "VaeGen.Internal", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.TorchSharpMissing.Trigger + " " + DiagnosticRules.TorchSharpMissing.Fix, helpLinkUri: HelpLink);

        /// <summary>
        /// Reported by the C# compiler, not by VaeGen: it is the DiagnosticId of the broken spec's stand-in
        /// class's Obsolete attribute. Listed so the catalog and release tracking know the ID.
        /// </summary>
        public static readonly DiagnosticDescriptor StandInUsed = new DiagnosticDescriptor(
            "VAE9004", DiagnosticRules.StandInUsed.Title, "{0}", "VaeGen.Internal", DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: DiagnosticRules.StandInUsed.Trigger + " " + DiagnosticRules.StandInUsed.Fix, helpLinkUri: HelpLink);

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = new Dictionary<string, DiagnosticDescriptor>
        {
            [YamlSyntax.Id] = YamlSyntax,
            [EmptySpec.Id] = EmptySpec,
            [DuplicateKey.Id] = DuplicateKey,
            [NotUtf8.Id] = NotUtf8,
            [YamlTooComplex.Id] = YamlTooComplex,
            [MultipleDocuments.Id] = MultipleDocuments,
            [ComplexKey.Id] = ComplexKey,
            [WrongNodeKind.Id] = WrongNodeKind,
            [UnknownKey.Id] = UnknownKey,
            [MissingKey.Id] = MissingKey,
            [WrongType.Id] = WrongType,
            [OutOfRange.Id] = OutOfRange,
            [UnknownLayer.Id] = UnknownLayer,
            [InvalidChoice.Id] = InvalidChoice,
            [InvalidIdentifier.Id] = InvalidIdentifier,
            [DuplicateClassName.Id] = DuplicateClassName,
            [MalformedLayer.Id] = MalformedLayer,
            [KlForm.Id] = KlForm,
            [TooFewClasses.Id] = TooFewClasses,
            [KernelTooLarge.Id] = KernelTooLarge,
            [PoolOutputTooSmall.Id] = PoolOutputTooSmall,
            [TransposedOutputTooSmall.Id] = TransposedOutputTooSmall,
            [OutputPaddingTooLarge.Id] = OutputPaddingTooLarge,
            [ElementCountOverflow.Id] = ElementCountOverflow,
            [NeedsImage.Id] = NeedsImage,
            [NeedsFlat.Id] = NeedsFlat,
            [UnflattenMismatch.Id] = UnflattenMismatch,
            [EncoderNotFlat.Id] = EncoderNotFlat,
            [DecoderMismatch.Id] = DecoderMismatch,
            [InMismatch.Id] = InMismatch,
            [PoolPaddingTooLarge.Id] = PoolPaddingTooLarge,
            [RedundantFlatten.Id] = RedundantFlatten,
            [ResidualChangesShape.Id] = ResidualChangesShape,
            [LooksChannelsLast.Id] = LooksChannelsLast,
            [LooksChannelsFirst.Id] = LooksChannelsFirst,
            [SigmoidTwice.Id] = SigmoidTwice,
            [BceWithoutSigmoid.Id] = BceWithoutSigmoid,
            [BceTargetRange.Id] = BceTargetRange,
            [SigmoidRange.Id] = SigmoidRange,
            [BetaZero.Id] = BetaZero,
            [SigmaWithoutGaussian.Id] = SigmaWithoutGaussian,
            [BetaWithCapacity.Id] = BetaWithCapacity,
            [InternalError.Id] = InternalError,
            [RuntimeMissing.Id] = RuntimeMissing,
            [TorchSharpMissing.Id] = TorchSharpMissing,
            [StandInUsed.Id] = StandInUsed,
        };

        /// <summary>Every descriptor.</summary>
        public static IEnumerable<DiagnosticDescriptor> All => ById.Values;

        /// <summary>The descriptor of a rule ID (VAE9001 for an unknown one, which would be a VaeGen bug).</summary>
        public static DiagnosticDescriptor For(string id) => ById.TryGetValue(id, out var descriptor) ? descriptor : InternalError;
    }
}
