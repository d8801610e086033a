using System;
using VaeGen.Spec.Text;

namespace VaeGen.Spec.Diagnostics
{
    /// <summary>
    /// One diagnostic as plain, value-equatable data: the generator turns it into a Roslyn
    /// diagnostic only when reporting, so it can travel through cached pipeline steps.
    /// </summary>
    public sealed class SpecDiagnostic : IEquatable<SpecDiagnostic>
    {
        /// <summary>Creates a diagnostic.</summary>
        public SpecDiagnostic(string id, Severity severity, string message, string filePath, SourceSpan span, string yamlPath)
        {
            Id = id;
            Severity = severity;
            Message = message;
            FilePath = filePath;
            Span = span;
            YamlPath = yamlPath;
        }

        /// <summary>The rule ID, e.g. VAE2001.</summary>
        public string Id { get; }

        /// <summary>Error or warning.</summary>
        public Severity Severity { get; }

        /// <summary>The full message; it names the file and the YAML path, so it reads well even where an IDE shows it against the project.</summary>
        public string Message { get; }

        /// <summary>The spec file's path as the build gave it.</summary>
        public string FilePath { get; }

        /// <summary>The offending YAML node.</summary>
        public SourceSpan Span { get; }

        /// <summary>The YAML path of the node, e.g. <c>encoder[2].conv2d.kernel</c>; empty for the whole file.</summary>
        public string YamlPath { get; }

        /// <summary>True for errors.</summary>
        public bool IsError => Severity == Severity.Error;

        /// <summary>Formats as compilers do: <c>path(line,col): error VAE2001: message</c>.</summary>
        public string Format(string displayPath) =>
            displayPath + Span.ToString() + ": " + (IsError ? "error " : "warning ") + Id + ": " + Message;

        /// <inheritdoc />
        public override string ToString() => Format(FilePath);

        /// <inheritdoc />
        public bool Equals(SpecDiagnostic? other) =>
            other is not null && Id == other.Id && Severity == other.Severity && Message == other.Message &&
            FilePath == other.FilePath && Span.Equals(other.Span) && YamlPath == other.YamlPath;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as SpecDiagnostic);

        /// <inheritdoc />
        public override int GetHashCode() => unchecked((Id.GetHashCode() * 397) ^ Message.GetHashCode() ^ Span.GetHashCode());
    }
}
