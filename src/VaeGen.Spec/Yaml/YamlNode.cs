using VaeGen.Spec.Text;

namespace VaeGen.Spec.Yaml
{
    /// <summary>
    /// A node of a spec's YAML, with the range of text it came from. The tree is our own rather than
    /// YamlDotNet's RepresentationModel so that limits (depth, alias expansion) and duplicate keys are
    /// checked while reading, and so that the parser depends on nothing but this small surface.
    /// </summary>
    public abstract class YamlNode
    {
        /// <summary>Creates a node.</summary>
        protected YamlNode(SourceSpan span)
        {
            Span = span;
        }

        /// <summary>Where the node is in the file.</summary>
        public SourceSpan Span { get; }

        /// <summary>A short description for messages: "a map", "a list", "the string \"x\"".</summary>
        public abstract string Describe();
    }
}
