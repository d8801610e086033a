namespace VaeGen.Generators.Pipeline
{
    /// <summary>A spec file as the pipeline's first step sees it. Text is null when the host could not read the file.</summary>
    internal sealed record SpecFile(string Path, string? Text);
}
