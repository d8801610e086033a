namespace VaeGen.Generators.Pipeline
{
    /// <summary>A spec file as the pipeline's first step sees it: its text, or why the host could not read it.</summary>
    internal sealed record SpecFile(string Path, string? Text, string? ReadError = null);
}
