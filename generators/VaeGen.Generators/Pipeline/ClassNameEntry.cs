namespace VaeGen.Generators.Pipeline
{
    /// <summary>A generated class and the spec file it comes from; positions are left out so moving text does not re-emit.</summary>
    internal sealed record ClassNameEntry(string FullName, string FilePath);
}
