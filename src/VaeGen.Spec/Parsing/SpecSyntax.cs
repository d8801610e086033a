using System.Collections.Generic;
using VaeGen.Spec.Yaml;

namespace VaeGen.Spec.Parsing
{
    /// <summary>
    /// Where each part of a parsed spec was written. Kept beside the position-free <see cref="Model.VaeSpec"/>
    /// so later checks can point at the exact node while the model itself stays cache-friendly.
    /// </summary>
    internal sealed class SpecSyntax
    {
        public SpecSyntax(YamlNode root)
        {
            Root = root;
        }

        public YamlNode Root { get; }

        /// <summary>Value nodes by YAML path: "name", "input.shape", "input.range", "beta", ...</summary>
        public Dictionary<string, YamlNode> Values { get; } = new Dictionary<string, YamlNode>();

        /// <summary>Key nodes by YAML path: "encoder", "decoder", "input", ...</summary>
        public Dictionary<string, YamlScalar> Keys { get; } = new Dictionary<string, YamlScalar>();

        /// <summary>One entry per expanded encoder layer.</summary>
        public List<LayerSyntax> Encoder { get; } = new List<LayerSyntax>();

        /// <summary>One entry per expanded decoder layer.</summary>
        public List<LayerSyntax> Decoder { get; } = new List<LayerSyntax>();

        /// <summary>The value node at <paramref name="path"/>, else its key, else the root.</summary>
        public YamlNode NodeOrRoot(string path)
        {
            if (Values.TryGetValue(path, out var value))
            {
                return value;
            }

            return Keys.TryGetValue(path, out var key) ? key : Root;
        }
    }

    /// <summary>Where one (expanded) layer was written.</summary>
    internal sealed class LayerSyntax
    {
        public LayerSyntax(YamlNode kindNode, string path, IReadOnlyDictionary<string, YamlNode> parameters)
        {
            KindNode = kindNode;
            Path = path;
            Parameters = parameters;
        }

        /// <summary>The kind keyword (the map key, or the bare word).</summary>
        public YamlNode KindNode { get; }

        /// <summary>The YAML path, e.g. encoder[2].conv2d.</summary>
        public string Path { get; }

        /// <summary>Parameter value nodes by name.</summary>
        public IReadOnlyDictionary<string, YamlNode> Parameters { get; }

        /// <summary>For a residual block, where each (expanded) layer of its body was written; empty otherwise.</summary>
        public List<LayerSyntax> Body { get; } = new List<LayerSyntax>();

        /// <summary>The node of parameter <paramref name="name"/>, or the kind keyword when it was not written.</summary>
        public YamlNode NodeOf(string name) => Parameters.TryGetValue(name, out var node) ? node : KindNode;

        /// <summary>The YAML path of parameter <paramref name="name"/> when written, else of the layer.</summary>
        public string PathOf(string name) => Parameters.ContainsKey(name) ? Path + "." + name : Path;
    }
}
