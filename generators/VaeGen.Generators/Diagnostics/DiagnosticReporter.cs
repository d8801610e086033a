using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using VaeGen.Spec.Diagnostics;

namespace VaeGen.Generators.Diagnostics
{
    /// <summary>Turns the checker's position-carrying data into Roslyn diagnostics located in the YAML file.</summary>
    internal static class DiagnosticReporter
    {
        public static Diagnostic ToDiagnostic(SpecDiagnostic diagnostic)
        {
            var span = diagnostic.Span;
            var location = Location.Create(
                diagnostic.FilePath,
                new TextSpan(span.Start, span.Length),
                new LinePositionSpan(new LinePosition(span.StartLine, span.StartColumn), new LinePosition(span.EndLine, span.EndColumn)));
            return Diagnostic.Create(DiagnosticDescriptors.For(diagnostic.Id), location, diagnostic.Message);
        }
    }
}
