using System.Collections.Generic;
using VaeGen.Spec.Text;

namespace VaeGen.Spec.Yaml
{
    /// <summary>A YAML list, block (<c>- x</c>) or flow (<c>[x, y]</c>).</summary>
    public sealed class YamlSequence : YamlNode
    {
        /// <summary>Creates a list.</summary>
        public YamlSequence(IReadOnlyList<YamlNode> items, SourceSpan span)
            : base(span)
        {
            Items = items;
        }

        /// <summary>The items in order.</summary>
        public IReadOnlyList<YamlNode> Items { get; }

        /// <inheritdoc />
        public override string Describe() => "a list";
    }
}
