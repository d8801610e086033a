using VaeGen.Spec.Model;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>Which backend a spec gets: the spec's <c>backend:</c>, else VaeGenBackend, else TorchSharp when referenced, else Managed.</summary>
    internal static class BackendChoice
    {
        public static (ModelBackend Backend, bool Explicit) Resolve(ModelBackend? fromSpec, GeneratorOptions options, BackendReferences references)
        {
            if (fromSpec is { } spec)
            {
                return (spec, true);
            }

            if (options.Backend is { } property)
            {
                return (property, true);
            }

            return (references.TorchSharp ? ModelBackend.TorchSharp : ModelBackend.Managed, false);
        }
    }
}
