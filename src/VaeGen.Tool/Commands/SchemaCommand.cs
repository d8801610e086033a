using System.CommandLine;
using System.IO;
using VaeGen.Tool.Cli;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen schema</c>: prints the JSON Schema of the spec language (schema/vae.schema.json, embedded
/// at build time), for YAML editors: <c>vaegen schema &gt; vae.schema.json</c>, then point a
/// <c># yaml-language-server: $schema=vae.schema.json</c> modeline or the editor's settings at it.
/// </summary>
internal static class SchemaCommand
{
    /// <summary>The manifest name the tool's project gives the embedded schema.</summary>
    public const string ResourceName = "vae.schema.json";

    public static Command Create(ToolConsole console)
    {
        var command = new Command("schema", "Print the JSON Schema of *.vae.yaml specs (keys, layer kinds, defaults, descriptions) for YAML editors.");
        command.SetAction(_ => Run(console));
        return command;
    }

    private static int Run(ToolConsole console)
    {
        using var stream = typeof(SchemaCommand).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException("the schema is missing from the vaegen assembly; this is a build bug");
        using var reader = new StreamReader(stream);
        console.Out.Write(reader.ReadToEnd());
        return ExitCodes.Success;
    }
}
