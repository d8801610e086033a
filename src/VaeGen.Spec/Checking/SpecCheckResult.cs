using System.Linq;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using VaeGen.Spec.Text;

namespace VaeGen.Spec.Checking
{
    /// <summary>Everything the checker learned about one spec file, as value-equatable data.</summary>
    /// <param name="FilePath">The file as given.</param>
    /// <param name="ClassName">The class name when it could be read, even if the spec has errors.</param>
    /// <param name="Namespace">The namespace written in the spec, if any.</param>
    /// <param name="NameSpan">Where the name is written (for cross-file diagnostics).</param>
    /// <param name="Plan">The checked model with every shape, or null when the spec has errors.</param>
    /// <param name="Layers">Every layer row computed, including rows after a failing layer; the tool prints them up to the first error.</param>
    /// <param name="Diagnostics">Errors and warnings in file order.</param>
    public sealed record SpecCheckResult(
        string FilePath,
        string? ClassName,
        string? Namespace,
        SourceSpan NameSpan,
        ModelPlan? Plan,
        EquatableArray<LayerPlan> Layers,
        EquatableArray<SpecDiagnostic> Diagnostics)
    {
        /// <summary>True when any diagnostic is an error.</summary>
        public bool HasErrors => Diagnostics.Any(d => d.IsError);

        /// <summary>The checked spec, or null when it has errors.</summary>
        public VaeSpec? Spec => Plan?.Spec;
    }
}
