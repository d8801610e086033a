using VaeGen.Spec.Model;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>What chose a spec's backend; the backend diagnostics name it so the fix is plain.</summary>
    internal enum BackendReason
    {
        /// <summary>The spec's <c>backend:</c> key.</summary>
        SpecKey,

        /// <summary>The VaeGenBackend build property.</summary>
        BuildProperty,

        /// <summary>Neither was set: TorchSharp when it is referenced, else managed.</summary>
        Default,
    }

    /// <summary>
    /// The backend a spec gets, why, and whether its library is referenced: the spec's
    /// <c>backend:</c>, else VaeGenBackend, else TorchSharp when referenced, else Managed.
    /// Resolved once per spec; the backend diagnostics and the emit model both read it.
    /// </summary>
    /// <param name="Backend">The chosen backend.</param>
    /// <param name="Reason">What chose it.</param>
    /// <param name="Referenced">Whether the compilation references the backend's library, so its model class can compile.</param>
    internal sealed record BackendSelection(ModelBackend Backend, BackendReason Reason, bool Referenced)
    {
        public static BackendSelection Resolve(ModelBackend? fromSpec, GeneratorOptions options, BackendReferences references)
        {
            var (backend, reason) = fromSpec is { } spec ? (spec, BackendReason.SpecKey)
                : options.Backend is { } property ? (property, BackendReason.BuildProperty)
                : (references.TorchSharp ? ModelBackend.TorchSharp : ModelBackend.Managed, BackendReason.Default);
            return new BackendSelection(backend, reason, references.Has(backend));
        }
    }
}
