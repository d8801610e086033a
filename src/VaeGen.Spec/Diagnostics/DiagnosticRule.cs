using System;

namespace VaeGen.Spec.Diagnostics
{
    /// <summary>
    /// One entry of the diagnostics catalog: a stable ID with its severity, what triggers it and how
    /// to fix it. The concrete message of each occurrence carries the numbers.
    /// </summary>
    public sealed class DiagnosticRule : IEquatable<DiagnosticRule>
    {
        internal DiagnosticRule(string id, RuleCategory category, Severity severity, string title, string trigger, string fix)
        {
            Id = id;
            Category = category;
            Severity = severity;
            Title = title;
            Trigger = trigger;
            Fix = fix;
        }

        /// <summary>The stable ID, <c>VAE</c> and four digits.</summary>
        public string Id { get; }

        /// <summary>The group the ID belongs to.</summary>
        public RuleCategory Category { get; }

        /// <summary>Default severity.</summary>
        public Severity Severity { get; }

        /// <summary>A short title without a trailing period.</summary>
        public string Title { get; }

        /// <summary>What in a spec triggers it.</summary>
        public string Trigger { get; }

        /// <summary>The usual fix.</summary>
        public string Fix { get; }

        /// <inheritdoc />
        public bool Equals(DiagnosticRule? other) => other is not null && other.Id == Id;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as DiagnosticRule);

        /// <inheritdoc />
        public override int GetHashCode() => Id.GetHashCode();

        /// <inheritdoc />
        public override string ToString() => Id + ": " + Title;
    }
}
