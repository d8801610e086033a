using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using VaeGen.Generators.Diagnostics;
using VaeGen.Generators.Emitting;
using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;

namespace VaeGen.Generators
{
    /// <summary>
    /// Reads every <c>*.vae.yaml</c> additional file, checks it, reports diagnostics located in the
    /// YAML, and emits a class for each valid spec. The pipeline carries only value-equatable data,
    /// so unrelated C# edits leave every step cached and editing one spec re-runs only that spec.
    /// Nothing may escape it: an exception kills all generated output (CS8785), so any failure on
    /// one spec becomes a VAE9001 diagnostic on that spec and the others still generate.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class VaeGenerator : IIncrementalGenerator
    {
        /// <summary>The file name suffix of specs.</summary>
        public const string SpecSuffix = ".vae.yaml";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var options = context.AnalyzerConfigOptionsProvider
                .Select((provider, _) => GeneratorOptions.From(provider.GlobalOptions))
                .WithTrackingName(TrackingNames.Options);

            var references = context.CompilationProvider
                .Select((compilation, _) => BackendReferences.From(compilation))
                .WithTrackingName(TrackingNames.BackendReferences);

            var files = context.AdditionalTextsProvider
                .Where(text => text.Path.EndsWith(SpecSuffix, StringComparison.OrdinalIgnoreCase))
                .Select((text, cancellationToken) => ReadFile(text, cancellationToken))
                .WithTrackingName(TrackingNames.SpecFiles);

            var checkedSpecs = files
                .Select((file, cancellationToken) => CheckFile(file, cancellationToken))
                .WithTrackingName(TrackingNames.CheckedSpecs);

            var diagnostics = checkedSpecs
                .Select((result, _) => result.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, ReportDiagnostics);

            var settings = options.Combine(references);
            var backendDiagnostics = checkedSpecs
                .Combine(settings)
                .Select((pair, _) => BackendDiagnostics(pair.Left, pair.Right.Left, pair.Right.Right))
                .WithTrackingName(TrackingNames.BackendDiagnostics);
            context.RegisterSourceOutput(backendDiagnostics, ReportDiagnostics);

            var classNames = checkedSpecs
                .Combine(options)
                .Select((pair, _) => pair.Left.ClassName is null
                    ? null
                    : new DuplicateClassNames.Entry(pair.Right.NamespaceFor(pair.Left.Namespace) + "." + pair.Left.ClassName, pair.Left.FilePath, pair.Left.NameSpan))
                .Collect()
                .WithTrackingName(TrackingNames.ClassNames);
            context.RegisterSourceOutput(classNames, ReportDuplicates);

            // Of two specs generating the same class only the first (by path) is emitted: hint names
            // must be unique, and VAE1109 above reports both files.
            var classOwners = classNames
                .Select((entries, _) => entries.Where(e => e is not null).Select(e => new ClassNameEntry(e!.FullName, e.FilePath)).ToEquatableArray());

            var models = checkedSpecs
                .Combine(settings)
                .Select((pair, _) => ToEmitModel(pair.Left, pair.Right.Left, pair.Right.Right))
                .Combine(classOwners)
                .Select((pair, _) => pair.Left is { } model && IsFirstOwner(model, pair.Right) ? model : null)
                .WithTrackingName(TrackingNames.EmitModels);
            context.RegisterSourceOutput(models, EmitSource);
        }

        private static SpecFile ReadFile(AdditionalText text, CancellationToken cancellationToken)
        {
            try
            {
                var content = text.GetText(cancellationToken);
                return content is null
                    ? new SpecFile(text.Path, null, "the build could not read the file")
                    : new SpecFile(text.Path, content.ToString());
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                return new SpecFile(text.Path, null, "VaeGen could not read the file: " + ex.GetType().Name + ": " + ex.Message);
            }
        }

        private static SpecCheckResult CheckFile(SpecFile file, CancellationToken cancellationToken)
        {
            if (file.Text is null)
            {
                return SpecChecker.InternalFailure(file.Path, file.ReadError ?? "the build could not read the file");
            }

            try
            {
                return SpecChecker.Check(file.Path, file.Text, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                // SpecChecker catches its own failures; this guards the call itself.
                return SpecChecker.InternalFailure(file.Path, SpecChecker.DescribeBug("checking this spec", ex));
            }
        }

        private static EmitModel? ToEmitModel(SpecCheckResult result, GeneratorOptions options, BackendReferences references)
        {
            if (result.ClassName is null)
            {
                return null; // nothing to name a class after: the diagnostics say why
            }

            var (backend, _) = BackendChoice.Resolve(result.Plan?.Spec.Backend, options, references);
            var errors = result.Plan is null
                ? result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(Path.GetFileName(d.FilePath))).ToEquatableArray()
                : EquatableArray<string>.Empty;
            return new EmitModel(result.ClassName, options.NamespaceFor(result.Namespace), result.FilePath, backend, references.Has(backend), result.Plan, errors);
        }

        private static EquatableArray<SpecDiagnostic> BackendDiagnostics(SpecCheckResult result, GeneratorOptions options, BackendReferences references)
        {
            if (result.Plan is null)
            {
                return EquatableArray<SpecDiagnostic>.Empty;
            }

            var (backend, explicitly) = BackendChoice.Resolve(result.Plan.Spec.Backend, options, references);
            if (references.Has(backend))
            {
                return EquatableArray<SpecDiagnostic>.Empty;
            }

            string source = !explicitly ? "TorchSharp is not referenced, so the managed backend is chosen"
                : result.Plan.Spec.Backend is not null ? "the spec's backend: key selects the " + BackendName(backend) + " backend"
                : "the VaeGenBackend property selects the " + BackendName(backend) + " backend";
            string where = Path.GetFileName(result.FilePath) + ", name: ";
            var rule = backend == ModelBackend.TorchSharp ? DiagnosticRules.TorchSharpMissing : DiagnosticRules.RuntimeMissing;
            string message = backend == ModelBackend.TorchSharp
                ? where + source + ", but the project does not reference TorchSharp, so " + result.ClassName +
                  " gets its shape constants only; add a PackageReference to TorchSharp-cpu 0.106.0 (or a CUDA package), or choose backend: managed"
                : where + source + ", but the project does not reference VaeGen.Runtime, so " + result.ClassName +
                  " gets its shape constants only; add a PackageReference to VaeGen.Runtime (the VaeGen package brings it), or reference TorchSharp for backend: torchsharp";
            return EquatableArray.Create(new SpecDiagnostic(rule.Id, rule.Severity, message, result.FilePath, result.NameSpan, "name"));
        }

        private static string BackendName(ModelBackend backend) => backend == ModelBackend.TorchSharp ? "TorchSharp" : "managed";

        private static bool IsFirstOwner(EmitModel model, EquatableArray<ClassNameEntry> owners) =>
            !owners.Any(o => o.FullName == model.FullName && string.CompareOrdinal(o.FilePath, model.FilePath) < 0);

        private static void ReportDiagnostics(SourceProductionContext context, EquatableArray<SpecDiagnostic> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
            {
                context.ReportDiagnostic(DiagnosticReporter.ToDiagnostic(diagnostic));
            }
        }

        private static void ReportDuplicates(SourceProductionContext context, ImmutableArray<DuplicateClassNames.Entry?> entries)
        {
            foreach (var diagnostic in DuplicateClassNames.Find(entries.Where(e => e is not null)!))
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
                source = model.Plan is null ? ErrorSurfaceEmitter.Emit(model)
                    : !model.BackendReferenced ? ModelConstantsEmitter.Emit(model)
                    : model.Backend == ModelBackend.TorchSharp ? TorchSharpEmitter.Emit(model)
                    : ManagedEmitter.Emit(model);
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
