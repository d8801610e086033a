using VaeGen.Spec.Model;

namespace VaeGen.Spec.Parsing
{
    /// <summary>What the parser got out of a file: the spec when it is valid against the schema, and whatever names it could read either way.</summary>
    internal sealed class ParsedSpec
    {
        public ParsedSpec(VaeSpec? spec, string? name, string? @namespace, SpecSyntax syntax)
        {
            Spec = spec;
            Name = name;
            Namespace = @namespace;
            Syntax = syntax;
        }

        public VaeSpec? Spec { get; }

        public string? Name { get; }

        public string? Namespace { get; }

        public SpecSyntax Syntax { get; }
    }
}
