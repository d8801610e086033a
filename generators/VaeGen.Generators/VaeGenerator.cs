using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using VaeGen.Generators.Diagnostics;
using VaeGen.Generators.Emitting;
using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;

namespace VaeGen.Generators
{
    /// <summary>
    /// Reads every <c>*.vae.yaml</c> additional file, checks it and emits a class for each spec (a
    /// stand-in for a broken one). The spec's diagnostics, located in the YAML, are reported by
    /// <see cref="Analyzers.SpecAnalyzer"/> with the same checker; this generator reports only what
    /// concerns generation: a missing backend reference (VAE9002/9003) and emitter failures (VAE9001).
    /// The pipeline carries only value-equatable data, so unrelated C# edits leave every step cached
    /// and editing one spec re-runs only that spec. Nothing may escape it: an exception kills all
    /// generated output (CS8785), so a failure while emitting one spec becomes a VAE9001 on that spec
    /// and the others still generate.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class VaeGenerator : IIncrementalGenerator
    {
        /// <summary>The file name suffix of specs.</summary>
        public const string SpecSuffix = SpecFiles.Suffix;

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var options = context.AnalyzerConfigOptionsProvider
                .Select((provider, _) => GeneratorOptions.From(provider.GlobalOptions))
                .WithTrackingName(TrackingNames.Options);

            var references = context.CompilationProvider
                .Select((compilation, _) => BackendReferences.From(compilation))
                .WithTrackingName(TrackingNames.BackendReferences);

            var checkedSpecs = context.AdditionalTextsProvider
                .Where(SpecFiles.IsSpec)
                .Select(SpecFiles.Read)
                .WithTrackingName(TrackingNames.SpecFiles)
                .Select(SpecFiles.Check)
                .WithTrackingName(TrackingNames.CheckedSpecs);

            // The spec's own diagnostics are SpecAnalyzer's to report (editors fetch analyzer diagnostics,
            // not generator ones), so each is reported once; this generator reports what concerns generation.

            var targets = checkedSpecs
                .Combine(options.Combine(references))
                .Select((pair, _) => SpecTarget.Resolve(pair.Left, pair.Right.Left, pair.Right.Right))
                .WithTrackingName(TrackingNames.Targets);

            context.RegisterSourceOutput(
                targets.Select((target, _) => BackendDiagnostics.For(target)).WithTrackingName(TrackingNames.BackendDiagnostics),
                ReportDiagnostics);

            var classNames = targets
                .Select((target, _) => ClassNameEntry.ForDuplicateCheck(target))
                .Collect()
                .WithTrackingName(TrackingNames.ClassNames);

            var models = targets
                .Select((target, _) => EmitModel.From(target))
                .Combine(classNames.Select((entries, _) => ClassNameEntry.Owners(entries)))
                .Select((pair, _) => ClassNameEntry.FirstOwnerOnly(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.EmitModels);
            context.RegisterSourceOutput(models, EmitSource);
        }

        private static void ReportDiagnostics(SourceProductionContext context, EquatableArray<SpecDiagnostic> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
            {
                context.ReportDiagnostic(DiagnosticReporter.ToDiagnostic(diagnostic));
            }
        }

        private static void EmitSource(SourceProductionContext context, EmitModel? model)
        {
            if (model is null)
            {
                return;
            }

            string source;
            try
            {
                source = ClassEmitter.Emit(model);
            }
            catch (Exception ex)
            {
                var failure = SpecChecker.InternalFailure(model.FilePath, SpecChecker.DescribeBug("generating " + model.FullName, ex));
                ReportDiagnostics(context, failure.Diagnostics);
                return;
            }

            context.AddSource(model.HintName, SourceText.From(source, Encoding.UTF8));
        }
    }
}
