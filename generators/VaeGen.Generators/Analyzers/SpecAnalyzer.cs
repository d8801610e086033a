using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using VaeGen.Generators.Diagnostics;
using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;

namespace VaeGen.Generators.Analyzers
{
    /// <summary>
    /// Reports the checker's diagnostics for every <c>*.vae.yaml</c> additional file, located in the
    /// YAML. Why an analyzer and not only the generator: editors and language servers ask Roslyn for
    /// compiler and analyzer diagnostics, and only some of them also fetch what a source generator
    /// reports (dotnet/roslyn#49531). So the analyzer is the one reporter of spec diagnostics; the
    /// generator generates, and reports only what concerns generation (backend references, emitter
    /// failures). Nothing may escape: any failure becomes one VAE9001 on the spec concerned.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SpecAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>
        /// The rules someone else reports: the generator's (they depend on the compilation's references,
        /// not on the spec) and the compiler's (the DiagnosticId of a broken spec's obsolete stand-in class).
        /// </summary>
        internal static readonly ImmutableHashSet<string> ReportedElsewhere = ImmutableHashSet.Create(
            StringComparer.Ordinal, DiagnosticRules.RuntimeMissing.Id, DiagnosticRules.TorchSharpMissing.Id, DiagnosticRules.StandInUsed.Id);

        private static readonly ImmutableArray<DiagnosticDescriptor> Supported =
            DiagnosticDescriptors.All.Where(d => !ReportedElsewhere.Contains(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Supported;

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterAdditionalFileAction(AnalyzeSpec);

            // Two specs generating one class is the one diagnostic that needs every spec at once. A
            // compilation action sees all additional files; hosts run it with the whole compilation
            // (the command-line build always; an IDE when it analyses the whole project).
            context.RegisterCompilationAction(ReportDuplicateClasses);
        }

        private static bool IsSpec(AdditionalText file) => SpecFiles.IsSpec(file);

        private static void AnalyzeSpec(AdditionalFileAnalysisContext context)
        {
            if (!IsSpec(context.AdditionalFile))
            {
                return;
            }

            foreach (var diagnostic in Check(context.AdditionalFile, context.CancellationToken).Diagnostics)
            {
                context.ReportDiagnostic(DiagnosticReporter.ToDiagnostic(diagnostic));
            }
        }

        private static void ReportDuplicateClasses(CompilationAnalysisContext context)
        {
            try
            {
                var options = GeneratorOptions.From(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
                var entries = context.Options.AdditionalFiles.Where(IsSpec)
                    .Select(file => Check(file, context.CancellationToken))
                    .Where(result => result.ClassName is not null)
                    .Select(result => new DuplicateClassNames.Entry(options.NamespaceFor(result.Namespace) + "." + result.ClassName, result.FilePath, result.NameSpan));
                foreach (var diagnostic in DuplicateClassNames.Find(entries))
                {
                    context.ReportDiagnostic(DiagnosticReporter.ToDiagnostic(diagnostic));
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Not attributable to one spec: reported on the first, so it is still located in a spec.
                var first = context.Options.AdditionalFiles.FirstOrDefault(IsSpec);
                if (first is not null)
                {
                    var failure = SpecChecker.InternalFailure(first.Path, SpecChecker.DescribeBug("comparing the class names of the specs", ex));
                    context.ReportDiagnostic(DiagnosticReporter.ToDiagnostic(failure.Diagnostics[0]));
                }
            }
        }

        /// <summary>The checker's result for one file, read and checked as the generator does; never throws except on cancellation.</summary>
        internal static SpecCheckResult Check(AdditionalText file, CancellationToken cancellationToken) =>
            SpecFiles.Check(SpecFiles.Read(file, cancellationToken), cancellationToken);
    }
}
