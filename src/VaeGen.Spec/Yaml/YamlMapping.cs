using System.Collections.Generic;
using VaeGen.Spec.Text;

namespace VaeGen.Spec.Yaml
{
    /// <summary>A YAML map with scalar keys, in file order. Keys are unique (the reader rejects duplicates).</summary>
    public sealed class YamlMapping : YamlNode
    {
        /// <summary>Creates a map.</summary>
        public YamlMapping(IReadOnlyList<YamlEntry> entries, SourceSpan span)
            : base(span)
        {
            Entries = entries;
        }

        /// <summary>The entries in file order.</summary>
        public IReadOnlyList<YamlEntry> Entries { get; }

        /// <summary>The entry with key <paramref name="key"/>, or null.</summary>
        public YamlEntry? Find(string key)
        {
            foreach (var entry in Entries)
            {
                if (entry.Key.Value == key)
                {
                    return entry;
                }
            }

            return null;
        }

        /// <inheritdoc />
        public override string Describe() => "a map";
    }

    /// <summary>One <c>key: value</c> pair of a map.</summary>
    public sealed class YamlEntry
    {
        /// <summary>Creates an entry.</summary>
        public YamlEntry(YamlScalar key, YamlNode value)
        {
            Key = key;
            Value = value;
        }

        /// <summary>The key.</summary>
        public YamlScalar Key { get; }

        /// <summary>The value.</summary>
        public YamlNode Value { get; }
    }
}
