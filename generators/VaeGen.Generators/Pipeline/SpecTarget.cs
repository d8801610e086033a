using VaeGen.Spec.Checking;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>
    /// A checked spec with what the project decides for it: the namespace of its class and its
    /// backend. Every later step (backend diagnostics, class names, emit models) starts here, so
    /// each decision is made once.
    /// </summary>
    /// <param name="Check">The checker's result.</param>
    /// <param name="Namespace">The class's namespace: the spec's own, else RootNamespace, else VaeGen.Generated.</param>
    /// <param name="Backend">The backend the spec gets.</param>
    internal sealed record SpecTarget(SpecCheckResult Check, string Namespace, BackendSelection Backend)
    {
        public static SpecTarget Resolve(SpecCheckResult check, GeneratorOptions options, BackendReferences references) =>
            new SpecTarget(check, options.NamespaceFor(check.Namespace), BackendSelection.Resolve(check.Plan?.Spec.Backend, options, references));

        /// <summary>The class's namespace-qualified name, or null when the spec has no readable name.</summary>
        public string? FullName => Check.ClassName is null ? null : Namespace + "." + Check.ClassName;
    }
}
