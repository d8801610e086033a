using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace VaeGen.Generators.Tests.Harness;

/// <summary>An additional file held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public string Content { get; } = text;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(Content, System.Text.Encoding.UTF8);
}

/// <summary>An additional file the host cannot read.</summary>
internal sealed class UnreadableAdditionalText(string path) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => throw new System.IO.IOException("disk on fire");
}
