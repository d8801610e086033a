using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VaeGen.Spec.Tests;

/// <summary>
/// YAML to JSON as a schema-validating YAML editor sees it: plain scalars resolved by the YAML 1.2
/// core schema (yaml-language-server's default), quoted scalars always strings.
/// </summary>
internal static class YamlJson
{
    private static readonly Regex Int = new(@"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$");
    private static readonly Regex Float = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$");

    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(e => new System.Collections.Generic.KeyValuePair<string, JsonNode?>(((YamlScalarNode)e.Key).Value ?? string.Empty, ToJson(e.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        string text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (Int.IsMatch(text))
        {
            return JsonNode.Parse(text.StartsWith("0o", StringComparison.Ordinal) || text.StartsWith("0x", StringComparison.Ordinal)
                ? System.Convert.ToInt64(text.Substring(2), text[1] == 'o' ? 8 : 16).ToString(CultureInfo.InvariantCulture)
                : text.TrimStart('+'));
        }

        if (Float.IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }
}
