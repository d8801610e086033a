using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Editor.Tests;

/// <summary>
/// csharp-ls 0.28.0, a real C# language server (Roslyn's MSBuildWorkspace), on a consumer app with a good
/// and a broken spec. It asks Roslyn for compiler diagnostics, and for analyzer diagnostics when its
/// <c>csharp.analyzersEnabled</c> setting (pulled with workspace/configuration) is on; it never fetches
/// what a source generator reports. So VaeGen shows spec errors through the analyzer (located in the
/// YAML) and through the compiler at the call site (the broken spec's stand-in class is obsolete).
/// </summary>
public sealed class CSharpLanguageServerTests(ConsumerApp app, ITestOutputHelper output) : IClassFixture<ConsumerApp>
{
    /// <summary>Loading the project with MSBuild and compiling it on a busy 2-core machine.</summary>
    private static readonly TimeSpan Load = TimeSpan.FromMinutes(4);

    [Fact]
    public void Dotnet_build_prints_the_spec_error_once_and_the_call_site_error()
    {
        output.WriteLine(app.BuildOutput);
        string text = app.BuildOutput.Replace('\\', '/');
        Assert.NotEqual(0, app.BuildExitCode);
        string specError = "specs/broken.vae.yaml(" + (ConsumerApp.BrokenLine + 1) + "," + (ConsumerApp.BrokenColumn + 1) + "): error VAE2008:";
        Assert.Equal(1, Count(text, specError)); // once: by the analyzer, not also by the generator
        Assert.Contains("Program.cs(" + (ConsumerApp.BrokenUseLine + 1) + ",26): error VAE9004: 'BrokenVae' is obsolete: 'BrokenVae cannot be used: broken.vae.yaml(12,16): error VAE2008:", text);
        Assert.DoesNotContain("error CS", text); // no CS0117: the stand-in has LatentDim too
        Assert.DoesNotContain("GoodVae", text);
    }

    /// <summary>Push mode (the client does not pull): the server publishes the open Program.cs's compiler diagnostics.</summary>
    [Fact]
    public async Task Push_mode_publishes_the_call_site_diagnostic_naming_the_spec_error_and_hover_shows_the_docs()
    {
        await using var server = Start(analyzersEnabled: false);
        await Initialize(server, pull: false);
        string program = EditorTools.FileUri(app.ProgramPath);
        await server.Notify("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = program, ["languageId"] = "csharp", ["version"] = 1, ["text"] = ConsumerApp.Program },
        });

        var published = await server.WaitForNotification("textDocument/publishDiagnostics",
            p => p["uri"]?.GetValue<string>() == program && p["diagnostics"]!.AsArray().Count > 0, Load);
        var diagnostic = Assert.Single(published["diagnostics"]!.AsArray());
        output.WriteLine(diagnostic!.ToJsonString());
        Assert.Equal(ConsumerApp.BrokenUseLine, diagnostic["range"]!["start"]!["line"]!.GetValue<int>());
        Assert.Equal("VAE9004", diagnostic["code"]!.GetValue<string>());
        Assert.Equal(1, diagnostic["severity"]!.GetValue<int>()); // error
        Assert.Contains("broken.vae.yaml(12,16): error VAE2008:", diagnostic["message"]!.GetValue<string>());

        // Hover on GoodVae.LatentDim shows the generated XML documentation.
        var hover = await server.Request("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = program },
            ["position"] = new JsonObject { ["line"] = ConsumerApp.GoodUseLine, ["character"] = ConsumerApp.GoodLatentDimColumn + 2 },
        }, Load);
        string contents = hover?["contents"]?.ToJsonString() ?? "(no hover)";
        output.WriteLine(contents);
        Assert.Contains("LatentDim", contents);
        Assert.Contains("Latent dimension L", contents);
    }

    /// <summary>
    /// Pull mode with analyzers on: workspace/diagnostic returns the analyzer's VAE2008 for the .vae.yaml's
    /// URI at its line, once. csharp-ls does not watch *.vae.yaml files (only .cs, .csproj, .sln, .cshtml),
    /// so a fix on disk shows only after the project reloads, which a change to the .csproj triggers.
    /// </summary>
    [Fact]
    public async Task Pull_mode_with_analyzers_reports_the_spec_error_in_the_yaml_and_a_project_reload_picks_up_an_edit()
    {
        string original = File.ReadAllText(app.BrokenSpecPath);
        try
        {
            await using var server = Start(analyzersEnabled: true);
            await Initialize(server, pull: true);
            string spec = EditorTools.FileUri(app.BrokenSpecPath);

            var report = await PullUntil(server, items => SpecItems(items, spec).Any(), Load);
            var specItems = SpecItems(report, spec).ToList();
            output.WriteLine(string.Join("\n", specItems.Select(i => i.ToJsonString())));
            var error = Assert.Single(specItems, i => i["code"]?.GetValue<string>() == "VAE2008");
            Assert.Equal(ConsumerApp.BrokenLine, error["range"]!["start"]!["line"]!.GetValue<int>());
            Assert.Equal(ConsumerApp.BrokenColumn, error["range"]!["start"]!["character"]!.GetValue<int>());
            Assert.Contains("unflatten", error["message"]!.GetValue<string>());
            Assert.Empty(SpecItems(report, EditorTools.FileUri(app.GoodSpecPath)));
            Assert.Contains(Items(report, EditorTools.FileUri(app.ProgramPath)), i => i["code"]?.GetValue<string>() == "VAE9004");

            // Fix the spec on disk and tell the server, as an editor's file watcher would.
            File.WriteAllText(app.BrokenSpecPath, original.Replace("[1, 28, 27]", "[1, 28, 28]"));
            await server.Notify("workspace/didChangeWatchedFiles", new JsonObject
            {
                ["changes"] = new JsonArray(new JsonObject { ["uri"] = spec, ["type"] = 2 }),
            });
            await Task.Delay(TimeSpan.FromSeconds(10));
            var stale = await Pull(server);
            Assert.Contains(SpecItems(stale, spec), i => i["code"]?.GetValue<string>() == "VAE2008"); // still the old text

            // A change to the project file makes csharp-ls reload the project, spec included.
            await server.Notify("workspace/didChangeWatchedFiles", new JsonObject
            {
                ["changes"] = new JsonArray(new JsonObject { ["uri"] = EditorTools.FileUri(app.Project), ["type"] = 2 }),
            });
            var reloaded = await PullUntil(server, items => !SpecItems(items, spec).Any() && !Items(items, EditorTools.FileUri(app.ProgramPath)).Any(), Load);
            Assert.Empty(SpecItems(reloaded, spec));
        }
        finally
        {
            File.WriteAllText(app.BrokenSpecPath, original);
        }
    }

    private LspClient Start(bool analyzersEnabled) =>
        LspClient.Start(EditorTools.CSharpLs, Array.Empty<string>(), app.Folder, app.Environment, (method, parameters) => method switch
        {
            // csharp-ls reads its settings with workspace/configuration, section "csharp".
            "workspace/configuration" => new JsonArray(parameters!["items"]!.AsArray()
                .Select(item => item!["section"]?.GetValue<string>() == "csharp" ? (JsonNode)new JsonObject { ["analyzersEnabled"] = analyzersEnabled } : null).ToArray()),
            _ => null,
        });

    private async Task Initialize(LspClient server, bool pull)
    {
        var textDocument = new JsonObject
        {
            ["synchronization"] = new JsonObject { ["didSave"] = true },
            ["publishDiagnostics"] = new JsonObject(),
            ["hover"] = new JsonObject { ["contentFormat"] = new JsonArray("markdown", "plaintext") },
        };
        if (pull)
        {
            // A client that can pull gets no pushed diagnostics from csharp-ls.
            textDocument["diagnostic"] = new JsonObject { ["dynamicRegistration"] = false };
        }

        await server.Request("initialize", new JsonObject
        {
            ["processId"] = System.Environment.ProcessId,
            ["rootUri"] = EditorTools.FileUri(app.Folder),
            ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = EditorTools.FileUri(app.Folder), ["name"] = "App" }),
            ["capabilities"] = new JsonObject
            {
                ["textDocument"] = textDocument,
                ["workspace"] = new JsonObject
                {
                    ["configuration"] = true,
                    ["workspaceFolders"] = true,
                    ["didChangeWatchedFiles"] = new JsonObject { ["dynamicRegistration"] = false },
                },
            },
        }, Load);
        await server.Notify("initialized", new JsonObject());
    }

    private static async Task<JsonArray> Pull(LspClient server)
    {
        var result = await server.Request("workspace/diagnostic", new JsonObject { ["previousResultIds"] = new JsonArray() }, Load);
        return result?["items"]?.AsArray() ?? new JsonArray();
    }

    private async Task<JsonArray> PullUntil(LspClient server, Func<JsonArray, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonArray last = new();
        while (DateTime.UtcNow < deadline)
        {
            last = await Pull(server);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        throw new TimeoutException("workspace/diagnostic did not reach the expected state in " + timeout + "; last:\n" + last.ToJsonString() + "\nstderr:\n" + server.StandardError);
    }

    private static JsonNode[] Items(JsonArray report, string uri) =>
        report.Where(r => r!["uri"]?.GetValue<string>() == uri).SelectMany(r => r!["items"]?.AsArray() ?? new JsonArray()).Select(i => i!).ToArray();

    private static JsonNode[] SpecItems(JsonArray report, string uri) => Items(report, uri);

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
