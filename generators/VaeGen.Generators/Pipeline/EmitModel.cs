using VaeGen.Spec.Shapes;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>
    /// Everything the emitter needs for one class and nothing more: no source positions, so an edit
    /// that only moves text (a comment, blank lines) leaves this equal and the output cached.
    /// </summary>
    /// <param name="Plan">The checked model with its shapes.</param>
    /// <param name="Namespace">The resolved namespace.</param>
    /// <param name="FilePath">The spec's path (identifies which of two same-named classes is emitted).</param>
    internal sealed record EmitModel(ModelPlan Plan, string Namespace, string FilePath)
    {
        public string SpecFileName => System.IO.Path.GetFileName(FilePath);

        public string ClassName => Plan.Spec.Name;

        public string FullName => Namespace + "." + ClassName;

        /// <summary>Unique per generated class: two specs with the same full name are reported (VAE1109) instead.</summary>
        public string HintName => FullName + ".g.cs";
    }
}
