using VaeGen.Spec.Text;

namespace VaeGen.Spec.Yaml
{
    /// <summary>A scalar: a plain word or number, or a quoted string.</summary>
    public sealed class YamlScalar : YamlNode
    {
        /// <summary>Creates a scalar.</summary>
        public YamlScalar(string value, bool isQuoted, SourceSpan span)
            : base(span)
        {
            Value = value;
            IsQuoted = isQuoted;
        }

        /// <summary>The text of the scalar, after YAML unescaping.</summary>
        public string Value { get; }

        /// <summary>True for quoted or block scalars: always strings, never numbers.</summary>
        public bool IsQuoted { get; }

        /// <summary>True for a plain scalar YAML reads as null (empty, <c>~</c>, <c>null</c>).</summary>
        public bool IsNull => !IsQuoted && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");

        /// <inheritdoc />
        public override string Describe()
        {
            if (IsNull)
            {
                return "nothing (null)";
            }

            string shown = Value.Length > 40 ? Value.Substring(0, 40) + "..." : Value;
            return IsQuoted ? "the string \"" + shown + "\"" : "'" + shown + "'";
        }
    }
}
