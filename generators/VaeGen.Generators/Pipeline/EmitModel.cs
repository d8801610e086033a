using VaeGen.Spec.Collections;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>
    /// Everything the emitter needs for one class and nothing more: no source positions, so an edit
    /// that only moves text (a comment, blank lines) leaves this equal and the output cached.
    /// </summary>
    /// <param name="ClassName">The class name.</param>
    /// <param name="Namespace">The resolved namespace.</param>
    /// <param name="FilePath">The spec's path (identifies which of two same-named classes is emitted).</param>
    /// <param name="Backend">The backend to emit.</param>
    /// <param name="BackendReferenced">Whether the compilation references the backend's library (TorchSharp or VaeGen.Runtime).</param>
    /// <param name="Plan">The checked model, or null when the spec has errors.</param>
    /// <param name="Errors">The spec's errors, formatted, when <paramref name="Plan"/> is null.</param>
    internal sealed record EmitModel(
        string ClassName,
        string Namespace,
        string FilePath,
        ModelBackend Backend,
        bool BackendReferenced,
        ModelPlan? Plan,
        EquatableArray<string> Errors)
    {
        public string SpecFileName => System.IO.Path.GetFileName(FilePath);

        public string FullName => Namespace + "." + ClassName;

        /// <summary>Unique per generated class: of two specs with the same full name only the first is emitted (VAE1109).</summary>
        public string HintName => FullName + ".g.cs";
    }
}
