using System.IO;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

public sealed class SchemaTests
{
    /// <summary>The tool prints the repository's schema file byte for byte: one schema, embedded at build time.</summary>
    [Fact]
    public void SchemaPrintsTheRepositorysSchemaFile()
    {
        ProcessResult result = ToolProcess.Run("schema");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllText(Repository.Path("schema", "vae.schema.json")), result.Out);
        Assert.Equal(string.Empty, result.Error);
    }
}
