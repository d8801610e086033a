using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Editor.Tests;

/// <summary>
/// yaml-language-server 2.0.0 (the engine of the common YAML editor extensions), a real process, with
/// the shipped schema/vae.schema.json: mapped to *.vae.yaml by the editor setting, and by the modeline.
/// </summary>
public sealed class YamlLanguageServerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _temp = new("vaegen-yamlls-");

    private string Folder => _temp.Path;

    /// <summary>Lines 0-based, as LSP counts them: latnet is on line 4, bce_logit on line 5.</summary>
    private const string Misspelled =
        "name: TestVae\n" +
        "input:\n" +
        "  shape: [28, 28, 1]\n" +
        "  layout: nhwc\n" +
        "latnet: 2\n" +
        "reconstruction: bce_logit\n" +
        "encoder:\n" +
        "  - flatten\n" +
        "  - linear: { out: 32, activation: relu }\n" +
        "decoder:\n" +
        "  - linear: { out: 784 }\n" +
        "  - unflatten: [1, 28, 28]\n";

    [Fact]
    public async Task The_editor_setting_maps_vae_yaml_to_the_schema_misspellings_are_flagged_and_keys_complete()
    {
        // What README's editor section tells users to put in their settings: the schema for *.vae.yaml.
        await using var server = StartServer(new JsonObject
        {
            ["validate"] = true,
            ["hover"] = true,
            ["completion"] = true,
            ["schemaStore"] = new JsonObject { ["enable"] = false },
            ["schemas"] = new JsonObject { [EditorTools.FileUri(EditorTools.Schema)] = "*.vae.yaml" },
        });
        await Initialize(server);

        string uri = Open(server, "bad.vae.yaml", Misspelled);
        var diagnostics = await WaitForDiagnostics(server, uri);
        AssertFlagged(diagnostics, line: 4, "latnet");
        AssertFlagged(diagnostics, line: 5, "bce_logits");

        // Completion on an empty top-level line offers the missing key 'latent'.
        string incomplete = Misspelled.Replace("latnet: 2\n", "\n");
        string completionUri = Open(server, "complete.vae.yaml", incomplete);
        var completion = await server.Request("textDocument/completion", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = completionUri },
            ["position"] = new JsonObject { ["line"] = 4, ["character"] = 0 },
        }, Timeout);
        var labels = Items(completion).Select(i => i!["label"]!.GetValue<string>()).ToList();
        Assert.Contains("latent", labels);
        Assert.DoesNotContain("name", labels); // already written

        // Hover on a key shows the schema's description.
        var hover = await server.Request("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = completionUri },
            ["position"] = new JsonObject { ["line"] = 5, ["character"] = 3 },
        }, Timeout);
        Assert.Contains("The reconstruction term", hover?["contents"]?.ToJsonString() ?? "(no hover)");

        // A file that is not a spec gets no schema, so no VaeGen complaints.
        string other = Open(server, "other.yaml", "latnet: 2\n");
        var otherDiagnostics = await WaitForDiagnostics(server, other);
        Assert.Empty(otherDiagnostics);
    }

    [Fact]
    public async Task The_modeline_alone_applies_the_schema()
    {
        await using var server = StartServer(new JsonObject { ["validate"] = true, ["schemaStore"] = new JsonObject { ["enable"] = false } });
        await Initialize(server);

        // The modeline README shows, with a path relative to the spec; the schema sits next to it here.
        File.Copy(EditorTools.Schema, Path.Combine(Folder, "vae.schema.json"));
        string uri = Open(server, "modeline.vae.yaml", "# yaml-language-server: $schema=vae.schema.json\n" + Misspelled);
        var diagnostics = await WaitForDiagnostics(server, uri);
        AssertFlagged(diagnostics, line: 5, "latnet");
        AssertFlagged(diagnostics, line: 6, "bce_logits");
    }

    private static void AssertFlagged(JsonArray diagnostics, int line, string text)
    {
        var atLine = diagnostics.Where(d => d!["range"]!["start"]!["line"]!.GetValue<int>() == line).Select(d => d!["message"]!.GetValue<string>()).ToList();
        Assert.True(atLine.Any(m => m.Contains(text, StringComparison.Ordinal)),
            "expected a diagnostic at line " + line + " mentioning '" + text + "'; got:\n" + diagnostics.ToJsonString());
    }

    /// <summary>The server reads its settings as editors keep them: workspace/configuration, section "yaml".</summary>
    private LspClient StartServer(JsonObject yamlSettings) =>
        LspClient.Start("node", new[] { EditorTools.YamlLanguageServer, "--stdio" }, Folder, new Dictionary<string, string>(), (method, parameters) => method switch
        {
            "workspace/configuration" => new JsonArray(parameters!["items"]!.AsArray()
                .Select(item => item!["section"]?.GetValue<string>() == "yaml" ? yamlSettings.DeepClone() : null).ToArray()),
            _ => null,
        });

    private async Task Initialize(LspClient server)
    {
        await server.Request("initialize", new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["rootUri"] = EditorTools.FileUri(Folder),
            ["capabilities"] = new JsonObject
            {
                ["textDocument"] = new JsonObject
                {
                    ["publishDiagnostics"] = new JsonObject(),
                    ["completion"] = new JsonObject { ["completionItem"] = new JsonObject { ["snippetSupport"] = true } },
                    ["hover"] = new JsonObject { ["contentFormat"] = new JsonArray("markdown", "plaintext") },
                },
            },
        }, Timeout);
        await server.Notify("initialized", new JsonObject());
    }

    private string Open(LspClient server, string fileName, string text)
    {
        string path = Path.Combine(Folder, fileName);
        File.WriteAllText(path, text);
        string uri = EditorTools.FileUri(path);
        server.Notify("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "yaml", ["version"] = 1, ["text"] = text },
        }).GetAwaiter().GetResult();
        return uri;
    }

    private static async Task<JsonArray> WaitForDiagnostics(LspClient server, string uri)
    {
        var published = await server.WaitForNotification("textDocument/publishDiagnostics", p => p["uri"]?.GetValue<string>() == uri, Timeout);
        return published["diagnostics"]!.AsArray();
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? completion) =>
        completion is JsonArray array ? array : completion?["items"]?.AsArray() ?? new JsonArray();

    public void Dispose() => _temp.Dispose();
}
