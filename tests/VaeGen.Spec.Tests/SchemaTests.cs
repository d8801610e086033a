using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using Json.Schema;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Parsing;
using VaeGen.Spec.Yaml;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>
/// schema/vae.schema.json, the JSON Schema editors use for *.vae.yaml, held to the checker: every key,
/// layer kind and enum value the parser knows is in the schema and nothing else is (adding a key to the
/// parser fails here until the schema has it), the defaults it shows are the parser's, every valid spec
/// validates, and every unknown key, unknown kind and bad choice the checker reports, the schema rejects.
/// </summary>
public class SchemaTests
{
    private static readonly Lazy<JsonNode> SchemaDocument = new(() => JsonNode.Parse(File.ReadAllText(SchemaPath))!);
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    private static readonly string[] SchemaRejects = { DiagnosticRules.UnknownKey.Id, DiagnosticRules.UnknownLayer.Id, DiagnosticRules.InvalidChoice.Id };

    public static string SchemaPath => Path.Combine(Repository.Root, "schema", "vae.schema.json");

    public static IEnumerable<object[]> RepositorySpecs() =>
        Directory.EnumerateFiles(Repository.Root, "*.vae.yaml", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'))
            .Where(p => !p.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".git" or ".tools"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new object[] { p });

    [Theory]
    [MemberData(nameof(RepositorySpecs))]
    public void Every_spec_in_the_repository_validates(string relativePath)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root, relativePath));
        var result = Validate(text);
        Assert.True(result.IsValid, relativePath + ":\n" + Describe(result));
    }

    public static IEnumerable<object[]> CheckerCases() =>
        RuleCases.All.SelectMany(c => new[] { new object[] { c.Name + " (failing)", c.Name, false }, new object[] { c.Name + " (near miss)", c.Name, true } });

    /// <summary>
    /// Every text of the checker's rule matrix: what the checker rejects as an unknown key, kind or choice,
    /// the schema rejects; what the checker finds no key, kind, type or value problem in, the schema accepts.
    /// </summary>
    [Theory]
    [MemberData(nameof(CheckerCases))]
    public void Schema_agrees_with_the_checker(string label, string caseName, bool nearMiss)
    {
        var c = RuleCases.Get(caseName);
        string text = MarkedYaml.Strip(nearMiss ? c.NearMiss : c.Yaml).Text;
        var ids = SpecChecker.Check(SpecText.TestPath, text).Diagnostics.Select(d => d.Id).ToHashSet();
        if (ids.Overlaps(SchemaRejects))
        {
            var result = Validate(text);
            Assert.False(result.IsValid, label + ": the checker reports " + string.Join(", ", ids) + " but the schema accepts\n" + text);
        }
        else if (!ids.Any(id => id.StartsWith("VAE1", StringComparison.Ordinal)))
        {
            var result = Validate(text);
            Assert.True(result.IsValid, label + ": the checker accepts the keys and values, the schema does not:\n" + Describe(result) + "\n" + text);
        }
    }

    [Fact]
    public void The_matrix_has_cases_the_schema_must_reject()
    {
        // Guards the theory above against a matrix that stops reaching the reject branch.
        Assert.Equal(SchemaRejects.OrderBy(x => x), RuleCases.All.Select(c => c.Id).Where(SchemaRejects.Contains).Distinct().OrderBy(x => x));
    }

    [Fact]
    public void Top_level_and_input_keys_are_the_parsers()
    {
        var root = SchemaDocument.Value;
        Assert.Equal(Sorted(SpecParser.TopLevelKeys), Sorted(PropertyNames(root)));
        Assert.Equal(Sorted(SpecParser.InputKeys), Sorted(PropertyNames(Resolve(root["properties"]!["input"]!))));
        Assert.False(root["additionalProperties"]!.GetValue<bool>());
        Assert.False(Resolve(root["properties"]!["input"]!)["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void Enum_values_are_the_parsers()
    {
        var root = SchemaDocument.Value;
        Assert.Equal(Sorted(SpecParser.Backends.Select(b => b.Item1)), Sorted(EnumOf(root["properties"]!["backend"]!)));
        Assert.Equal(Sorted(SpecParser.Reconstructions.Select(b => b.Item1)), Sorted(EnumOf(root["properties"]!["reconstruction"]!)));
        Assert.Equal(Sorted(SpecParser.Reductions.Select(b => b.Item1)), Sorted(EnumOf(root["properties"]!["reduction"]!)));
        Assert.Equal(Sorted(SpecParser.Layouts.Select(b => b.Item1)), Sorted(EnumOf(Resolve(root["properties"]!["input"]!)["properties"]!["layout"]!)));
        Assert.Equal(Sorted(LayerParser.UpsampleModes.Select(b => b.Item1)), Sorted(EnumOf(LayerSchema("upsample")["properties"]!["mode"]!)));
        Assert.Equal(Sorted(SpecParser.InitSchemes.Select(b => b.Item1)), Sorted(EnumOf(root["properties"]!["init"]!)));
        foreach (var kind in new[] { "conv2d", "conv_transpose2d", "linear" })
        {
            Assert.Equal(Sorted(SpecParser.InitSchemes.Select(b => b.Item1)), Sorted(EnumOf(LayerSchema(kind)["properties"]!["init"]!)));
        }

        var activation = Definition("activation");
        var words = activation["oneOf"]!.AsArray().Single(o => o!["enum"] is not null)!;
        Assert.Equal(Sorted(ActivationNames.All.Select(a => a.Keyword)), Sorted(EnumOf(words)));
        var maps = activation["oneOf"]!.AsArray().Single(o => o!["properties"] is not null)!;
        Assert.Equal(Sorted(ActivationNames.All.Select(a => a.Keyword)), Sorted(PropertyNames(maps)));
    }

    [Fact]
    public void Layer_kinds_and_their_parameters_are_the_parsers()
    {
        var kinds = Definition("layerWithParameters");
        Assert.Equal(Sorted(LayerParser.LayerKinds), Sorted(PropertyNames(kinds)));
        Assert.False(kinds["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(1, kinds["maxProperties"]!.GetValue<int>());
        foreach (var kind in LayerParser.LayerKinds)
        {
            var schema = LayerSchema(kind);
            if (LayerParser.ParameterKeys.TryGetValue(kind, out var keys))
            {
                Assert.True(Sorted(keys).SequenceEqual(Sorted(PropertyNames(schema))), kind + ": parser " + string.Join(", ", Sorted(keys)) + "; schema " + string.Join(", ", Sorted(PropertyNames(schema))));
                Assert.False(schema["additionalProperties"]!.GetValue<bool>(), kind);
            }
            else if (kind is "unflatten" or "residual")
            {
                Assert.Equal("array", schema["type"]!.GetValue<string>());
            }
            else if (kind == "zero_pad2d")
            {
                // One integer for all four sides, or [left, right, top, bottom].
                var forms = schema["oneOf"]!.AsArray().Select(o => o!["type"]!.GetValue<string>()).ToArray();
                Assert.Equal(new[] { "integer", "array" }, forms);
            }
            else
            {
                Assert.Equal(0, schema["oneOf"]!.AsArray().Single(o => o!["type"]!.GetValue<string>() == "object")!["maxProperties"]!.GetValue<int>());
            }
        }
    }

    /// <summary>The kinds the schema lets stand as a bare word are exactly those the parser accepts bare.</summary>
    [Fact]
    public void Bare_layers_are_the_ones_the_parser_accepts_bare()
    {
        var parserBare = LayerParser.LayerKinds.Where(k => ParseLayer("- " + k).Spec is not null);
        Assert.Equal(Sorted(parserBare), Sorted(EnumOf(Definition("bareLayer"))));
    }

    /// <summary>The required parameters of each kind are those whose absence the parser reports (VAE1103).</summary>
    [Fact]
    public void Required_parameters_are_the_parsers()
    {
        foreach (var kind in LayerParser.ParameterKeys.Keys)
        {
            var (_, bag) = Parse(LayerSpecText("- " + kind + ": { }"));
            var parserRequired = bag.Items.Where(d => d.Id == DiagnosticRules.MissingKey.Id)
                .Select(d => d.Message.Split('\'')[1]);
            var schemaRequired = LayerSchema(kind)["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? Enumerable.Empty<string>();
            Assert.True(Sorted(parserRequired).SequenceEqual(Sorted(schemaRequired)), kind);
        }

        var (_, topBag) = Parse("beta: 1\n");
        var topRequired = topBag.Items.Where(d => d.Id == DiagnosticRules.MissingKey.Id).Select(d => d.Message.Split('\'')[1]);
        Assert.Equal(Sorted(topRequired), Sorted(SchemaDocument.Value["required"]!.AsArray().Select(n => n!.GetValue<string>())));
    }

    /// <summary>Writing a key with the schema's default means the same as leaving it out.</summary>
    [Fact]
    public void Defaults_are_the_parsers()
    {
        var root = SchemaDocument.Value;
        int checkedDefaults = 0;
        foreach (var (key, property) in Properties(root))
        {
            if (DefaultOf(property) is { } value)
            {
                AssertSameMeaning(Base, Base.Replace("latent: 4\n", "latent: 4\n" + key + ": " + value.ToJsonString() + "\n"), key);
                checkedDefaults++;
            }
        }

        foreach (var (key, property) in Properties(Resolve(root["properties"]!["input"]!)))
        {
            if (DefaultOf(property) is { } value)
            {
                AssertSameMeaning(Base, Base.Replace("  shape: [1, 8, 8]\n", "  shape: [1, 8, 8]\n  " + key + ": " + value.ToJsonString() + "\n"), "input." + key);
                checkedDefaults++;
            }
        }

        foreach (var kind in LayerParser.ParameterKeys.Keys)
        {
            var schema = LayerSchema(kind);
            string required = string.Join(", ", (schema["required"]?.AsArray() ?? new JsonArray()).Select(n => n!.GetValue<string>() + ": 2"));
            foreach (var (key, property) in Properties(schema))
            {
                if (DefaultOf(property) is { } value)
                {
                    string with = required.Length == 0 ? key + ": " + value.ToJsonString() : required + ", " + key + ": " + value.ToJsonString();
                    var (without, _) = ParseLayer("- " + kind + ": { " + required + " }");
                    var (written, bag) = ParseLayer("- " + kind + ": { " + with + " }");
                    Assert.True(written is not null, kind + "." + key + ": " + string.Join("; ", bag.Items.Select(d => d.Message)));
                    Assert.Equal(without, written);
                    checkedDefaults++;
                }
            }
        }

        Assert.True(checkedDefaults >= 15, checkedDefaults + " defaults checked");
    }

    /// <summary>Every key an editor offers has a description to show on hover.</summary>
    [Fact]
    public void Every_key_is_described()
    {
        var missing = new List<string>();
        Walk(SchemaDocument.Value, "#", missing);
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    private static void Walk(JsonNode node, string path, List<string> missing)
    {
        if (node is JsonObject obj)
        {
            if (obj["properties"] is JsonObject properties)
            {
                foreach (var (key, property) in properties)
                {
                    if (DescriptionOf(property!) is null)
                    {
                        missing.Add(path + "/properties/" + key);
                    }
                }
            }

            foreach (var (key, child) in obj)
            {
                if (child is not null)
                {
                    Walk(child, path + "/" + key, missing);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                Walk(array[i]!, path + "/" + i, missing);
            }
        }
    }

    private const string Base =
        "name: TestVae\n" +
        "input:\n" +
        "  shape: [1, 8, 8]\n" +
        "latent: 4\n" +
        "encoder:\n" +
        "  - flatten\n" +
        "decoder:\n" +
        "  - linear: { out: 64 }\n";

    private static string LayerSpecText(string layerLine) => Base.Replace("  - flatten\n", "  " + layerLine + "\n");

    private static (VaeSpec? Spec, DiagnosticBag Bag) ParseLayer(string layerLine) => Parse(LayerSpecText(layerLine));

    private static (VaeSpec? Spec, DiagnosticBag Bag) Parse(string text)
    {
        var bag = new DiagnosticBag(SpecText.TestPath);
        var root = YamlTreeReader.Read(text, bag, CancellationToken.None);
        Assert.NotNull(root);
        return (new SpecParser(bag).Parse(root!).Spec, bag);
    }

    private static void AssertSameMeaning(string without, string with, string key)
    {
        var (a, _) = Parse(without);
        var (b, bag) = Parse(with);
        Assert.True(b is not null, key + ": " + string.Join("; ", bag.Items.Select(d => d.Message)));
        Assert.Equal(a, b);
    }

    private static EvaluationResults Validate(string yaml)
    {
        var json = YamlJson.Convert(yaml);
        using var document = JsonDocument.Parse(json?.ToJsonString() ?? "null");
        return Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? new List<EvaluationResults>()).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Value)));

    private static JsonNode Definition(string name) => SchemaDocument.Value["definitions"]![name]!;

    private static JsonNode LayerSchema(string kind) => Resolve(Definition("layerWithParameters")["properties"]![kind]!);

    /// <summary>Follows allOf [$ref] wrappers (used so descriptions and defaults can sit beside a reference in draft-07).</summary>
    private static JsonNode Resolve(JsonNode node)
    {
        while (true)
        {
            if (node["$ref"] is { } reference)
            {
                node = Definition(reference.GetValue<string>().Substring("#/definitions/".Length));
            }
            else if (node["properties"] is null && node["type"] is null && node["oneOf"] is null && node["enum"] is null && node["allOf"] is JsonArray all && all.Count == 1)
            {
                node = all[0]!;
            }
            else if (node["oneOf"] is JsonArray choices && choices.SingleOrDefault(c => c!["properties"] is not null) is { } map)
            {
                return map; // e.g. dropout: null (bare) or its parameter map
            }
            else
            {
                return node;
            }
        }
    }

    private static IEnumerable<(string Key, JsonNode Node)> Properties(JsonNode schema) =>
        schema["properties"] is JsonObject properties ? properties.Select(p => (p.Key, p.Value!)) : Enumerable.Empty<(string, JsonNode)>();

    private static IEnumerable<string> PropertyNames(JsonNode schema) => Properties(schema).Select(p => p.Key);

    private static IEnumerable<string> EnumOf(JsonNode schema) => Resolve(schema)["enum"]!.AsArray().Select(n => n!.GetValue<string>());

    private static JsonNode? DefaultOf(JsonNode property) => property["default"] ?? Follow(property)?["default"];

    private static JsonNode? DescriptionOf(JsonNode property) => property["description"] ?? Follow(property)?["description"];

    private static JsonNode? Follow(JsonNode property)
    {
        var reference = property["$ref"] ?? (property["allOf"] is JsonArray all && all.Count == 1 ? all[0]!["$ref"] : null);
        return reference is null ? null : Definition(reference.GetValue<string>().Substring("#/definitions/".Length));
    }

    private static string[] Sorted(IEnumerable<string> values) => values.OrderBy(v => v, StringComparer.Ordinal).ToArray();
}
